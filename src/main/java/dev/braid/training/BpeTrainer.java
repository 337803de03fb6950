package dev.braid.training;

import dev.braid.model.ByteLevelTokenizerJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns a byte-level BPE vocabulary: text is split the way the Hugging Face ByteLevel
 * pre-tokenizer splits it, each piece is spelled in GPT-2's byte symbols, and the most frequent
 * adjacent pair is merged until the vocabulary is full. Ties go to the smaller pair of ids, so the
 * same corpus always yields the same merges.
 */
public final class BpeTrainer {

    /** The pre-tokenizer pattern of GPT-2, which the ByteLevel pre-tokenizer applies at encode time. */
    static final Pattern PIECES = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+");

    /** The learned vocabulary: merged tokens and merges in the order they were learned. */
    public record Vocabulary(List<String> specialTokens, List<String> mergedTokens, List<String> merges) {
        public int size() {
            return specialTokens.size() + 256 + mergedTokens.size();
        }
    }

    private BpeTrainer() {
    }

    public static Vocabulary train(Iterable<String> texts, int vocabSize, List<String> specialTokens) {
        int merges = vocabSize - specialTokens.size() - 256;
        if (merges < 0) {
            throw new IllegalArgumentException("vocabulary of " + vocabSize + " cannot hold " + specialTokens.size()
                    + " special tokens and 256 bytes");
        }
        String[] byteSymbols = ByteLevelTokenizerJson.byteSymbols();
        Map<String, Integer> pieceCounts = new HashMap<>();
        for (String text : texts) {
            Matcher m = PIECES.matcher(text);
            while (m.find()) {
                pieceCounts.merge(m.group(), 1, Integer::sum);
            }
        }
        // symbols: id -> spelling; the first 256 are bytes
        List<String> symbols = new ArrayList<>(List.of(byteSymbols));
        List<int[]> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (Map.Entry<String, Integer> e : new TreeMap<>(pieceCounts).entrySet()) {
            byte[] bytes = e.getKey().getBytes(StandardCharsets.UTF_8);
            int[] word = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                word[i] = bytes[i] & 0xFF;
            }
            words.add(word);
            counts.add(e.getValue());
        }
        List<String> mergedTokens = new ArrayList<>();
        List<String> mergeRules = new ArrayList<>();
        for (int round = 0; round < merges; round++) {
            Map<Long, Long> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                int[] word = words.get(w);
                for (int i = 0; i + 1 < word.length; i++) {
                    pairCounts.merge(((long) word[i] << 32) | word[i + 1], (long) counts.get(w), Long::sum);
                }
            }
            long best = -1;
            long bestCount = 0;
            for (Map.Entry<Long, Long> e : pairCounts.entrySet()) {
                if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (bestCount < 2) {
                break;
            }
            int left = (int) (best >>> 32);
            int right = (int) best;
            int merged = symbols.size();
            symbols.add(symbols.get(left) + symbols.get(right));
            mergedTokens.add(symbols.get(merged));
            mergeRules.add(symbols.get(left) + " " + symbols.get(right));
            for (int w = 0; w < words.size(); w++) {
                words.set(w, apply(words.get(w), left, right, merged));
            }
        }
        return new Vocabulary(List.copyOf(specialTokens), mergedTokens, mergeRules);
    }

    private static int[] apply(int[] word, int left, int right, int merged) {
        int[] out = null;
        int n = 0;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                if (out == null) {
                    out = new int[word.length - 1];
                    System.arraycopy(word, 0, out, 0, i);
                    n = i;
                }
                out[n++] = merged;
                i++;
            } else if (out != null) {
                out[n++] = word[i];
            }
        }
        if (out == null) {
            return word;
        }
        int[] trimmed = new int[n];
        System.arraycopy(out, 0, trimmed, 0, n);
        return trimmed;
    }
}
