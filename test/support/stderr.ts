/** Capturing what code under test writes to stderr (the provider's progress lines and notices). */

/** Run `fn` with `process.stderr.write` captured: what it resolves to, and the text written meanwhile. */
export async function withStderr<T>(fn: () => Promise<T>): Promise<{ result: T; written: string }> {
    const chunks: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) =>
        chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString()) > 0) as typeof process.stderr.write;
    try {
        return { result: await fn(), written: chunks.join("") };
    } finally {
        process.stderr.write = original;
    }
}
