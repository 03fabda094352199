import { render } from 'preact'
import { App } from './app.js'
import { NodeRpc, tokenFromHash } from './rpc.js'
import { socketUrl } from './socket.js'
import { NodeStore } from './store.js'
import './styles.css'

// The node that served this page answers JSON-RPC at POST / and WebSocket on / of the same origin.
const token = tokenFromHash(location.hash)
const store = new NodeStore(new NodeRpc('/', token), socketUrl(location, token))
store.start()
render(<App store={store} />, document.getElementById('app') as HTMLElement)
