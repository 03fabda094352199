/** Small file-system helpers shared by the keystore, init and the node. */
import { stat } from 'node:fs/promises'

/** Whether anything exists at `path`; errors other than "not found" (a permission denied, say) are thrown. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}
