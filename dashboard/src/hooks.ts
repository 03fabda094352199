import { useEffect, useState } from 'preact/hooks'
import type { DashboardState, NodeStore } from './store.js'

/** The store's state, re-rendering on every change. */
export function useDashboardState(store: NodeStore): DashboardState {
  const [state, setState] = useState(store.state)
  useEffect(() => {
    setState(store.state)
    return store.subscribe(() => setState(store.state))
  }, [store])
  return state
}

/** The current time, ticking every `intervalMs`, for ages that grow while nothing else changes. */
export function useNow(intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(timer)
  }, [intervalMs])
  return now
}
