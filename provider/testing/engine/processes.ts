/**
 * Registry of every child process the engine harness starts, so that all of them can be killed
 * (process group included) whatever happens to the test that started them.
 *
 * @module
 */
import type { ChildProcess } from "child_process";

/** A child process the harness started, with what it is. */
export interface TrackedProcess {
    /** "provider-host" (the dynamic-provider host) or "program" (the Pulumi program). */
    kind: "provider-host" | "program";
    /** Process id; the process leads its own process group (spawned detached). */
    pid: number;
    /** The Node child handle. */
    child: ChildProcess;
    /** Resolves when the process has exited. */
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
    /** Set once the process has exited. */
    exitStatus?: { code: number | null; signal: NodeJS.Signals | null };
}

const live = new Map<number, TrackedProcess>();
const everStarted: number[] = [];
let exitHookInstalled = false;

function installExitHook(): void {
    if (exitHookInstalled) return;
    exitHookInstalled = true;
    // Last line of defence: the mocha process is exiting (normally or through an uncaught
    // exception) - kill whatever is still running, synchronously.
    process.once("exit", () => {
        for (const p of live.values()) signalGroup(p.pid, "SIGKILL");
    });
}

/** Sends a signal to a whole process group (or, failing that, to the process itself). Never throws. */
export function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
    try {
        process.kill(-pid, signal);
        return true;
    } catch {
        try {
            process.kill(pid, signal);
            return true;
        } catch {
            return false;
        }
    }
}

/** Starts tracking a freshly spawned child (must have been spawned with `detached: true`). */
export function track(kind: TrackedProcess["kind"], child: ChildProcess): TrackedProcess {
    installExitHook();
    if (child.pid === undefined) {
        throw new Error(`failed to start ${kind} process`);
    }
    const pid = child.pid;
    let resolveExit!: (v: { code: number | null; signal: NodeJS.Signals | null }) => void;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => (resolveExit = r));
    const tp: TrackedProcess = { kind, pid, child, exited };
    child.once("exit", (code, signal) => {
        tp.exitStatus = { code, signal };
        // The leader exited; make sure nothing of its group survives it.
        signalGroup(pid, "SIGKILL");
        live.delete(pid);
        resolveExit(tp.exitStatus);
    });
    live.set(pid, tp);
    everStarted.push(pid);
    return tp;
}

/**
 * Kills a tracked process group with SIGKILL and waits (bounded) for the leader to exit.
 * Safe to call several times.
 */
export async function killTracked(tp: TrackedProcess, waitMs = 5000): Promise<void> {
    if (tp.exitStatus) return;
    signalGroup(tp.pid, "SIGKILL");
    await Promise.race([tp.exited, new Promise((r) => setTimeout(r, waitMs).unref())]);
}

/** Kills every process the harness started that is still running. */
export async function killAllChildren(): Promise<void> {
    await Promise.all([...live.values()].map((p) => killTracked(p)));
}

/** The processes the harness started that have not exited yet (should be empty between tests). */
export function liveChildren(): { kind: TrackedProcess["kind"]; pid: number }[] {
    return [...live.values()].map((p) => ({ kind: p.kind, pid: p.pid }));
}

/** Pids of every process the harness ever started in this Node process. */
export function startedPids(): number[] {
    return [...everStarted];
}

/** True if a process with this pid still exists (and is not a zombie we could reap). */
export function pidAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
    } catch {
        return false;
    }
    // A zombie still answers kill(0); look at /proc where available.
    try {
        // eslint-disable-next-line @typescript-eslint/no-var-requires
        const fs = require("fs") as typeof import("fs");
        const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
        const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
        return state !== "Z" && state !== "X";
    } catch {
        return true;
    }
}
