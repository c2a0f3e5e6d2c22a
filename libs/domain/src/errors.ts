/** A rule of the domain was broken; the message names what and why. Safe inside workflow code. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DomainError'
  }
}
