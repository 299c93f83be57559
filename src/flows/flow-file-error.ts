/** A flow file that cannot be loaded, with the file, the key and what to change. */
export class FlowFileError extends Error {
  override readonly name = 'FlowFileError'

  constructor(
    readonly file: string,
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${file}: ${path === '' ? '' : `${path} `}${reason}`)
  }
}
