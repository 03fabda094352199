// `node --import ./test/helpers/module-recorder.mjs …`: appends the URL of every
// module the process loads, one a line, to the file named by $PEERCHAIN_MODULE_LOG.
// The hooks run on the loader's thread and write as each module loads, so the
// list is complete however the process exits.
import { register } from 'node:module'

const file = process.env.PEERCHAIN_MODULE_LOG
if (!file) throw new Error('module-recorder: set PEERCHAIN_MODULE_LOG to the file to write')
register('./module-recorder-hooks.mjs', import.meta.url, { data: { file } })
