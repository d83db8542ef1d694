export function benchCommand(): string { return "{}"; }
