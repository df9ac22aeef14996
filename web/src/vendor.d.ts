/** The parts of d3-flame-graph and d3-selection the UI uses (neither ships types). */
declare module 'd3-flame-graph' {
  export interface FlameGraph {
    (selection: unknown): void;
    width(px: number): FlameGraph;
    cellHeight(px: number): FlameGraph;
    transitionDuration(ms: number): FlameGraph;
    minFrameSize(px: number): FlameGraph;
    sort(on: boolean): FlameGraph;
    tooltip(on: boolean): FlameGraph;
    setColorMapper(fn: (d: never, originalColor: string) => string): FlameGraph;
    setLabelHandler(fn: (d: never) => string): FlameGraph;
    setSearchMatch(fn: (d: never, term: string) => boolean): FlameGraph;
    search(term: string): void;
  }
  const flamegraph: () => FlameGraph;
  export default flamegraph;
}

declare module 'd3-selection' {
  interface Selection {
    datum(d: unknown): Selection;
    call(fn: unknown): Selection;
  }
  export function select(el: Element): Selection;
}
