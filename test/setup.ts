import '../src/util/shims.js'
