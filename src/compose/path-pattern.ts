// Path patterns with parameters: '/items/:id' and '/t/:tenant'. A parameter takes exactly one
// non-empty path segment of the decoded path. Patterns without a parameter never come here: the
// router keeps comparing those as plain strings, so parameters cost nothing to the routes that
// have none.

import { InvalidArgumentError } from '../protocol/errors.ts'

/** One segment of a pattern: a literal to compare, or the name a parameter binds. */
type Segment = { literal: string } | { param: string }

export type PathParams = Record<string, string>

/** A matched prefix: the parameters bound and where in the path the match ended. */
export interface PrefixMatch {
  params: PathParams
  end: number
}

const paramName = /^[A-Za-z_][A-Za-z0-9_]*$/

export class PathPattern {
  readonly #segments: Segment[]

  private constructor(segments: Segment[]) {
    this.#segments = segments
  }

  /** The compiled pattern, or null when `pattern` holds no parameter (a plain path). */
  static parse(pattern: string, where: string): PathPattern | null {
    if (!pattern.includes('/:')) return null
    const names = new Set<string>()
    const segments = pattern
      .slice(1)
      .split('/')
      .map((text): Segment => {
        if (!text.startsWith(':')) return { literal: text }
        const name = text.slice(1)
        if (!paramName.test(name)) {
          throw new InvalidArgumentError(
            `${where}: a path parameter needs a name of letters, digits and '_', got '${text}' in '${pattern}'`,
          )
        }
        if (names.has(name)) throw new InvalidArgumentError(`${where}: the path parameter ':${name}' appears twice in '${pattern}'`)
        names.add(name)
        return { param: name }
      })
    return new PathPattern(segments)
  }

  /** The same pattern with every parameter's name dropped: '/t/:a' and '/t/:b' take the same paths. */
  static shape(pattern: string): string {
    return pattern.replace(/\/:[^/]*/g, '/:')
  }

  /** The parameters when `path` is exactly this pattern, else null. */
  matchWhole(path: string): PathParams | null {
    const found = this.matchPrefix(path)
    return found !== null && found.end === path.length ? found.params : null
  }

  /** The parameters when `path` starts with this pattern at a segment boundary, else null. */
  matchPrefix(path: string): PrefixMatch | null {
    const params: PathParams = {}
    let start = 1
    for (const segment of this.#segments) {
      if (start > path.length) return null
      const slash = path.indexOf('/', start)
      const end = slash === -1 ? path.length : slash
      const text = path.slice(start, end)
      if ('literal' in segment) {
        if (text !== segment.literal) return null
      } else {
        if (text === '') return null
        params[segment.param] = text
      }
      start = end + 1
    }
    return { params, end: start - 1 }
  }
}

/** Outer parameters first, the inner ones over them: the innermost route names a key last. */
export function mergeParams(outer: PathParams | undefined, inner: PathParams): PathParams {
  return outer === undefined ? inner : { ...outer, ...inner }
}
