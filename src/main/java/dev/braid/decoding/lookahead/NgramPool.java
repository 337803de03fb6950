package dev.braid.decoding.lookahead;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * N-grams seen so far, keyed by their first token; the value is the N−1 tokens that followed. Each
 * key keeps at most {@code perKey} continuations and forgets the least recently used first, where
 * "used" means added again or verified with at least one accepted token.
 */
final class NgramPool {

    private final int perKey;
    private final int ngram;
    /** Per key, continuations most recently used first; lists stay short (at most G). */
    private final Map<Integer, List<int[]>> byKey = new HashMap<>();

    NgramPool(int perKey, int ngram) {
        this.perKey = perKey;
        this.ngram = ngram;
    }

    /** Adds {@code tokens[from .. from + N)} as one n-gram. */
    void add(int[] tokens, int from) {
        int[] continuation = Arrays.copyOfRange(tokens, from + 1, from + ngram);
        List<int[]> list = byKey.computeIfAbsent(tokens[from], k -> new ArrayList<>());
        for (int i = 0; i < list.size(); i++) {
            if (Arrays.equals(list.get(i), continuation)) {
                list.add(0, list.remove(i));
                return;
            }
        }
        list.add(0, continuation);
        if (list.size() > perKey) {
            list.remove(list.size() - 1);
        }
    }

    /** Adds every n-gram of {@code text}. */
    void addAll(int[] text) {
        for (int from = 0; from + ngram <= text.length; from++) {
            add(text, from);
        }
    }

    /**
     * At most {@code max} continuations of {@code key}, most recently used first, each cut to
     * {@code length} tokens; continuations that look alike once cut are offered once.
     */
    List<int[]> candidates(int key, int max, int length) {
        List<int[]> list = byKey.getOrDefault(key, List.of());
        List<int[]> out = new ArrayList<>();
        for (int[] continuation : list) {
            if (out.size() == max) {
                break;
            }
            int[] cut = Arrays.copyOf(continuation, length);
            if (out.stream().noneMatch(c -> Arrays.equals(c, cut))) {
                out.add(cut);
            }
        }
        return out;
    }

    /** Marks the continuation of {@code key} that starts with {@code prefix} as just used. */
    void touch(int key, int[] prefix) {
        List<int[]> list = byKey.get(key);
        if (list == null) {
            return;
        }
        for (int i = 0; i < list.size(); i++) {
            if (Arrays.equals(list.get(i), 0, prefix.length, prefix, 0, prefix.length)) {
                list.add(0, list.remove(i));
                return;
            }
        }
    }

    int size(int key) {
        return byKey.getOrDefault(key, List.of()).size();
    }
}
