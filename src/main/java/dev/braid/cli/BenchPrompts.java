package dev.braid.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The prompt sets {@code bench --prompts} runs; a client cycles through its set. {@code list} and
 * {@code multipart} ask the questions the structural strategies are for (APAR's independent list
 * items; SGD's points, some standing alone and one building on another), in the words Braid's own
 * models were trained on, about topics of their corpus.
 */
enum BenchPrompts {

    GENERAL("general", List.of(
            "List three ways to reduce the memory footprint of a Java service.",
            "Explain how a paged KV cache works, step by step.",
            "Write a function that returns the n-th Fibonacci number.",
            "What is the difference between latency and throughput?",
            "Describe the water cycle in a short paragraph.",
            "Give two reasons to prefer immutable data structures, and one drawback.",
            "How do I roll back a Kubernetes deployment?",
            "Summarise the rules of chess in a few sentences.")),

    LIST("list", List.of(
            "List 5 ways to make database queries faster.",
            "Give me four tips to protect important data.",
            "What are 5 good ways to speed up a web application?",
            "How can I make a service easier to debug? Give 4 ideas.",
            "List 4 ways to sleep better.",
            "Give me five tips to save more money.",
            "What are 4 good ways to grow healthy vegetables?",
            "List 5 ways to learn a language faster.")),

    MULTI_PART("multipart", List.of(
            "What is caching, why does it matter, and how do I start?",
            "Explain backups: what it is, why it matters, and the first steps.",
            "I am new to logging. What is it, why should I care, and how do I begin?",
            "What is unit testing, why does it matter, and how do I start?",
            "Explain containers: what it is, why it matters, and the first steps.",
            "I am new to version control. What is it, why should I care, and how do I begin?",
            "What is budgeting, why does it matter, and how do I start?",
            "Explain gardening: what it is, why it matters, and the first steps."));

    private final String id;
    private final List<String> prompts;

    BenchPrompts(String id, List<String> prompts) {
        this.id = id;
        this.prompts = prompts;
    }

    String id() {
        return id;
    }

    List<String> prompts() {
        return prompts;
    }

    static List<String> ids() {
        return Arrays.stream(values()).map(BenchPrompts::id).toList();
    }

    static BenchPrompts named(String name) {
        String wanted = name.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(set -> set.id.equals(wanted)).findFirst()
                .orElseThrow(() -> new UsageException("--prompts '" + name + "' is not a prompt set (available: "
                        + String.join(", ", ids()) + ")"));
    }
}
