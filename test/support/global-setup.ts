// Global test setup: nothing to start for the whole run yet; suites start their own servers.
export default function setup(): void {}
