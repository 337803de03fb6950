package dev.braid.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the memory PyTorch frees in the process for its next tensors, on Linux with glibc.
 *
 * <p>By default glibc serves a block of 128 KiB or more with fresh pages from {@code mmap} and
 * unmaps it when freed, raising that threshold only to the largest block freed so far; it returns
 * the free top of a heap to the system, and deletes a thread's extra 64 MiB heap once it is empty.
 * A step frees all its tensors at its end, and its gathered context grows by a position every step:
 * each step's gathers were a little larger than any block freed before, and the worker's extra heap
 * emptied every step, so every step took fresh pages and faulted each of them in again. Here the
 * process keeps what it freed for the next step; what it keeps is bounded by the largest step it ran.
 *
 * <p>The {@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_TRIM_THRESHOLD_} and {@code MALLOC_TOP_PAD_}
 * environment variables, where set, are the operator's choice and win.
 */
final class NativeHeap {

    private static final Logger log = LoggerFactory.getLogger(NativeHeap.class);

    /** {@code mallopt} parameters, from glibc's {@code malloc.h}. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** The largest mmap threshold glibc accepts on a 64-bit host. */
    private static final int MMAP_THRESHOLD = 32 << 20;
    /** Free memory at a heap's top beyond this goes back to the system. */
    private static final int TRIM_THRESHOLD = 1 << 30;
    /** At least this stays free atop a thread's heaps: a whole heap, so an emptied one is kept. */
    private static final int TOP_PAD = 64 << 20;

    private interface CLibrary extends Library {
        int mallopt(int param, int value);
    }

    private NativeHeap() {
    }

    /** @return whether the settings took effect */
    static boolean keepFreedMemory() {
        if (!System.getProperty("os.name", "").startsWith("Linux")
                || System.getenv("MALLOC_MMAP_THRESHOLD_") != null || System.getenv("MALLOC_TRIM_THRESHOLD_") != null
                || System.getenv("MALLOC_TOP_PAD_") != null) {
            return false;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            boolean set = c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 && c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
                    && c.mallopt(M_TOP_PAD, TOP_PAD) == 1;
            if (set) {
                log.info("Native memory freed by tensors stays in the process for reuse (glibc mmap threshold {} MiB, "
                        + "trim threshold {} MiB, top pad {} MiB)", MMAP_THRESHOLD >> 20, TRIM_THRESHOLD >> 20, TOP_PAD >> 20);
            } else {
                log.warn("The C library refused mallopt; freed native memory goes back to the system as before");
            }
            return set;
        } catch (LinkageError e) {
            // not glibc (musl has no mallopt): its own policy stands
            log.info("No mallopt in this C library ({}); its allocation policy stands", e.getMessage());
            return false;
        }
    }
}
