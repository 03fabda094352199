/** Writes DIR/report.json and DIR/report.html. */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Report } from './compute.js'
import { renderReportHtml } from './html.js'

export const REPORT_JSON = 'report.json'
export const REPORT_HTML = 'report.html'

export async function writeReport(dir: string, report: Report): Promise<{ json: string; html: string }> {
  const json = join(dir, REPORT_JSON)
  const html = join(dir, REPORT_HTML)
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`)
  await writeFile(html, await renderReportHtml(report))
  return { json, html }
}
