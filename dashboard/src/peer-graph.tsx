/**
 * The node's peers as a force-directed graph: this node pinned in the middle,
 * one circle per peer linked to it, coloured by the peer's network group (a
 * legend names each group), the link dashed for a peer that dialed us. Many
 * peers of one colour is what an eclipse attempt looks like. d3-force only
 * computes positions; Preact draws the SVG.
 */
import {
  forceCollide,
  forceLink,
  forceManyBody,
  forceSimulation,
  forceX,
  forceY,
  type Simulation,
  type SimulationLinkDatum,
  type SimulationNodeDatum,
} from 'd3-force'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { PeerJson } from '../../src/api/json.js'
import { groupColor, hostOfMultiaddr, peerGroups, shortId } from './format.js'

const WIDTH = 360
const HEIGHT = 240
const CENTER = { x: WIDTH / 2, y: HEIGHT / 2 }
const SELF = 'self'
const MARGIN = 18

interface GraphNode extends SimulationNodeDatum {
  id: string
}

type GraphLink = SimulationLinkDatum<GraphNode>

export function PeerGraph({ selfId, peers }: { selfId?: string; peers: PeerJson[] }) {
  const nodes = useRef(new Map<string, GraphNode>())
  const simulation = useRef<Simulation<GraphNode, GraphLink> | null>(null)
  const [, setFrame] = useState(0)

  useEffect(() => {
    const sim = forceSimulation<GraphNode, GraphLink>()
      .force('charge', forceManyBody<GraphNode>().strength(-220))
      .force('collide', forceCollide<GraphNode>(24))
      .force('x', forceX<GraphNode>(CENTER.x).strength(0.04))
      .force('y', forceY<GraphNode>(CENTER.y).strength(0.08))
      .stop()
    sim.on('tick', () => setFrame((n) => n + 1))
    simulation.current = sim
    return () => sim.stop()
  }, [])

  // Re-layout only when the set of peers changes, not on every refresh of their scores.
  const layoutKey = peers.map((p) => p.id).join(' ')
  useEffect(() => {
    const sim = simulation.current
    if (!sim) return
    const held = nodes.current
    const next = new Map<string, GraphNode>()
    next.set(SELF, held.get(SELF) ?? { id: SELF, fx: CENTER.x, fy: CENTER.y, x: CENTER.x, y: CENTER.y })
    peers.forEach((peer, i) => {
      // A new peer starts on a circle around the middle, so the layout unfolds instead of exploding from one point.
      const angle = (2 * Math.PI * i) / Math.max(peers.length, 1)
      next.set(
        peer.id,
        held.get(peer.id) ?? { id: peer.id, x: CENTER.x + 70 * Math.cos(angle), y: CENTER.y + 70 * Math.sin(angle) },
      )
    })
    nodes.current = next
    const links: GraphLink[] = peers.map((p) => ({ source: SELF, target: p.id }))
    sim.nodes([...next.values()])
    sim.force(
      'link',
      forceLink<GraphNode, GraphLink>(links)
        .id((n) => n.id)
        .distance(90),
    )
    if (matchMedia('(prefers-reduced-motion: reduce)').matches) {
      sim.stop()
      sim.tick(300)
      setFrame((n) => n + 1)
    } else {
      sim.alpha(0.9).restart()
    }
  }, [layoutKey])

  const at = (id: string) => {
    const n = nodes.current.get(id)
    return {
      x: clamp(n?.x ?? CENTER.x, MARGIN, WIDTH - MARGIN),
      y: clamp(n?.y ?? CENTER.y, MARGIN, HEIGHT - MARGIN),
    }
  }
  const self = at(SELF)

  return (
    <>
      <svg
        class="peer-graph"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`this node and its ${peers.length} peers`}
        data-testid="peer-graph"
      >
        {peers.map((peer) => {
          const p = at(peer.id)
          return (
            <line key={`l-${peer.id}`} class={`link ${peer.direction}`} x1={self.x} y1={self.y} x2={p.x} y2={p.y} />
          )
        })}
        <g class="node self" transform={`translate(${self.x} ${self.y})`}>
          <title>{selfId ? `this node\n${selfId}` : 'this node'}</title>
          <circle r={13} />
          <text y={28}>this node</text>
        </g>
        {peers.map((peer) => {
          const p = at(peer.id)
          const color = groupColor(peer.group)
          return (
            <g
              key={peer.id}
              class={`node ${peer.direction}`}
              transform={`translate(${p.x} ${p.y})`}
              data-testid="peer-node"
              data-group={peer.group}
              data-color={color}
            >
              <title>{peerTooltip(peer)}</title>
              <circle r={9} style={{ fill: color }} />
              <text y={22}>{shortId(peer.id)}</text>
            </g>
          )
        })}
      </svg>
      <GroupLegend peers={peers} />
    </>
  )
}

/** Which colour is which network group, and how many peers each holds. */
function GroupLegend({ peers }: { peers: PeerJson[] }) {
  if (peers.length === 0) return null
  return (
    <ul class="group-legend" data-testid="group-legend" aria-label="network groups">
      {peerGroups(peers).map(({ group, count }) => {
        const color = groupColor(group)
        return (
          <li key={group} data-testid="group-legend-item" data-group={group} data-color={color}>
            <span class="swatch" style={{ background: color }} aria-hidden="true" />
            <span class="group-name">{group}</span> <span class="muted">{count}</span>
          </li>
        )
      })}
    </ul>
  )
}

function peerTooltip(peer: PeerJson): string {
  return [
    peer.id,
    `${peer.connectionType}, group ${peer.group}, score ${peer.score}`,
    ...peer.addresses.map(hostOfMultiaddr),
  ].join('\n')
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value))
}
