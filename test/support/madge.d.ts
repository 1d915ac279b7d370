/** The part of madge's API the architecture test uses; madge ships no types of its own. */
declare module 'madge' {
  interface MadgeConfig {
    fileExtensions?: string[];
    tsConfig?: string;
    baseDir?: string;
    excludeRegExp?: RegExp[];
    detectiveOptions?: Record<string, unknown>;
  }
  interface MadgeResult {
    /** Each file (relative to the base directory) and the local files it imports. */
    obj(): Record<string, string[]>;
    /** Every import cycle, as the files along it. */
    circular(): string[][];
    /** Imports madge could not resolve to a file. */
    warnings(): { skipped: string[] };
  }
  export default function madge(path: string | string[], config?: MadgeConfig): Promise<MadgeResult>;
}
