package dev.braid.cli;

import java.util.function.Function;

/**
 * The long prompt of bench's {@code long-document} set: an incident log to summarise, repeated to
 * {@link #TOKENS} tokens of the model's own tokenizer, or as many as its context leaves room for.
 */
final class LongDocument {

    static final int TOKENS = 2000;
    private static final String PLACEHOLDER = "{document}";
    static final String QUESTION = "Summarise this incident log in three sentences:\n\n" + PLACEHOLDER;
    private static final String ENTRY = """
            02:14 the checkout service's p99 latency rose from 180 ms to 2.4 s in region eu-west; \
            the on-call engineer saw the database connection pool at its limit of 50 and queries \
            waiting for a connection. 02:21 a deploy from 01:58 had doubled the replicas without \
            raising the pool's share per replica, so each replica held fewer connections than its \
            threads. 02:30 the deploy was rolled back with helm rollback; latency fell within five \
            minutes. 02:41 the team agreed to size the pool from the replica count in the chart.
            """;

    private LongDocument() {
    }

    static boolean asks(String question) {
        return question.contains(PLACEHOLDER);
    }

    /**
     * The question with the log repeated until its ids reach {@link #TOKENS}, or the most repeats
     * whose ids stay within {@code maxTokens}.
     */
    static int[] encode(String question, Function<String, int[]> encoder, int maxTokens) {
        int[] fitting = null;
        StringBuilder document = new StringBuilder(ENTRY);
        while (true) {
            int[] ids = encoder.apply(question.replace(PLACEHOLDER, document));
            if (ids.length > maxTokens) {
                if (fitting == null) {
                    throw new IllegalStateException("the model's context of " + maxTokens
                            + " tokens cannot hold even one entry of the long document");
                }
                return fitting;
            }
            if (ids.length >= TOKENS) {
                return ids;
            }
            fitting = ids;
            document.append(ENTRY);
        }
    }
}
