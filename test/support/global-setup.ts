/** Nothing global yet: each test file starts what it needs (its own Redis, database, SMTP). */
export default function setup(): void {}
