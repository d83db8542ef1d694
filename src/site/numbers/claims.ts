/**
 * Build-time claim checks: every qualitative statement a chapter makes about its numbers
 * ("wins at 75 %", "exactly zero") is checked when the site builds, and a claim the data
 * no longer supports fails the build with the file and the sentence. CLAIMS_REPORT=1
 * lists every failing claim instead of stopping at the first (for rewriting prose).
 */
export function claimsFor(source: string): (ok: boolean, what: string) => void {
  return (ok, what) => {
    if (ok) return;
    const message = `${source}: the chapter says "${what}", but the data now disagree`;
    if (typeof process !== 'undefined' && process.env?.CLAIMS_REPORT) console.error(`claim fails: ${message}`);
    else throw new Error(message);
  };
}
