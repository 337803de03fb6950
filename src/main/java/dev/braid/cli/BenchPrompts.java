package dev.braid.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The prompt sets {@code bench --prompts} runs; a client cycles through its set. {@code list} and
 * {@code multipart} ask the questions the structural strategies are for (APAR's independent list
 * items; SGD's points, some standing alone and one building on another), in the words Braid's own
 * models were trained on, about topics of their corpus; {@code reworded} asks about those topics in
 * other words and {@code unseen} about what the corpus never covers, so a speed-up that holds only on
 * the training distribution shows as such.
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
            "Explain gardening: what it is, why it matters, and the first steps.")),

    /** The corpus's topics asked in words its lessons never use: does a speed-up survive a rewording? */
    REWORDED("reworded", List.of(
            "My SQL queries crawl. What would you change first to make them quick?",
            "Which habits help someone fall asleep more easily at night?",
            "Caching confuses me: describe it, tell me what it is good for, and where a beginner starts.",
            "Suggest a handful of ways to put more money aside each month.",
            "A web app feels sluggish. Name some fixes worth trying.",
            "Tell me about version control: the idea, the point of it, and a first step.",
            "How would you go about picking up a new language quickly?",
            "What can a home gardener do to keep vegetables healthy?")),

    /** Topics and tasks none of the bundled models was trained on. */
    UNSEEN("unseen", List.of(
            "Translate 'the train leaves at noon' into French and German.",
            "Write a haiku about a lighthouse in winter.",
            "What causes the seasons on Earth?",
            "Convert 72 degrees Fahrenheit to Celsius and show the arithmetic.",
            "Name three moons of Jupiter and one fact about each.",
            "Rewrite this sentence in the passive voice: the committee approved the budget.",
            "Why is the sky blue?",
            "Plan a three-day trip to Lisbon for someone who likes museums.")),

    /**
     * Where a guess controller's settings are chosen, so that the other sets report on questions no
     * setting was chosen for: ten in the corpus's topics in words of their own, two outside them.
     */
    TUNING("tuning", List.of(
            "How do I add a cache to a service?",
            "How do I add an index to a table?",
            "What is a database index, why does it matter, and how do I start?",
            "List 3 ways to protect important data.",
            "Give me 3 tips to speed up a web application.",
            "Explain database indexes in a few sentences.",
            "What is caching?",
            "Explain backups in a few sentences.",
            "I am new to caching. What is it, why should I care, and how do I begin?",
            "List 4 ways to make database queries faster.",
            "Explain how DNS works.",
            "Write a short story about a robot who learns to paint.")),

    /**
     * Twenty chats behind one long system prompt, as an internal assistant is deployed: what the
     * prefix cache is for. The questions are the general and unseen sets' and four of reworded's.
     */
    SHARED_SYSTEM("shared-system", SharedSystemPrompt.TEXT, questions(
            GENERAL.prompts, UNSEEN.prompts, REWORDED.prompts.subList(0, 4))),

    /**
     * Seven general questions, then a long document to summarise: what chunked prefill is for, the
     * decoding requests beside a long prompt's prefill. Last, so that with {@code --stagger-ms} the
     * eighth client's long prompt arrives while the other seven decode.
     */
    LONG_DOCUMENT("long-document", questions(GENERAL.prompts.subList(0, 7), List.of(LongDocument.QUESTION)));

    private final String id;
    /** The system prompt every question of the set is asked behind; null for none. */
    private final String system;
    private final List<String> prompts;

    BenchPrompts(String id, List<String> prompts) {
        this(id, null, prompts);
    }

    BenchPrompts(String id, String system, List<String> prompts) {
        this.id = id;
        this.system = system;
        this.prompts = prompts;
    }

    @SafeVarargs
    private static List<String> questions(List<String>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    String id() {
        return id;
    }

    String system() {
        return system;
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
