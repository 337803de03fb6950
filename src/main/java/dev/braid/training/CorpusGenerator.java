package dev.braid.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds the training corpus from Braid's own templates ({@link Topics}), deterministically from a
 * seed: questions people ask an assistant, answered as lists of independent points (APAR's
 * structure), multi-part answers whose first two parts stand alone and whose last builds on the
 * first (SGD's graph; some answers start at a point, as SGD's point prompts do), how-to steps, short
 * prose, skeleton plans and small pieces of code. About one example in twenty is held out.
 */
public final class CorpusGenerator {

    public enum Category { LIST, MULTI_PART, HOW_TO, PROSE, SKELETON, CODE }

    /** One chat turn: what the user asked and what the assistant answers. */
    public record Example(Category category, String user, String assistant) {
    }

    /** The two splits; held-out examples never appear in training. */
    public record Corpus(List<Example> train, List<Example> heldOut) {
    }

    private static final String[] NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six"};

    private CorpusGenerator() {
    }

    public static Corpus generate(int examples, long seed) {
        if (examples < 20) {
            throw new IllegalArgumentException("the corpus needs at least 20 examples, got " + examples);
        }
        Random random = new Random(seed);
        List<Example> train = new ArrayList<>();
        List<Example> heldOut = new ArrayList<>();
        Category[] categories = Category.values();
        for (int i = 0; i < examples; i++) {
            Topic topic = Topics.ALL.get(random.nextInt(Topics.ALL.size()));
            Category category = categories[random.nextInt(categories.length)];
            Example example = switch (category) {
                case LIST -> list(topic, random);
                case MULTI_PART -> multiPart(topic, random);
                case HOW_TO -> howTo(topic, random);
                case PROSE -> prose(topic, random);
                case SKELETON -> skeleton(topic, random);
                case CODE -> CodeExamples.example(random);
            };
            (i % 20 == 7 ? heldOut : train).add(example);
        }
        return new Corpus(train, heldOut);
    }

    static Example list(Topic topic, Random random) {
        int n = 3 + random.nextInt(3);
        // Items follow the topic's own order, cyclically from a random first one, so each item's
        // successor depends only on the item before it. Shuffled, the next item depended on every
        // item already written, and a model of braid-base's size trained for one pass repeated
        // items in greedy answers.
        List<Topic.Tip> tips = topic.tips();
        int first = random.nextInt(tips.size());
        String question = pick(random,
                "List " + n + " ways to " + topic.goal() + ".",
                "What are " + n + " good ways to " + topic.goal() + "?",
                "Give me " + NUMBER_WORDS[n] + " tips to " + topic.goal() + ".",
                "How can I " + topic.goal() + "? Give " + n + " ideas.");
        StringBuilder answer = new StringBuilder(pick(random,
                "Here are " + n + " ways to " + topic.goal() + ":",
                "Here are " + NUMBER_WORDS[n] + " tips to " + topic.goal() + ":",
                "You can " + topic.goal() + " in these " + n + " ways:"));
        for (int i = 0; i < n; i++) {
            Topic.Tip tip = tips.get((first + i) % tips.size());
            answer.append("\n").append(i + 1).append(". ").append(tip.title()).append(": ").append(tip.detail());
        }
        return new Example(Category.LIST, question, answer.toString());
    }

    static Example multiPart(Topic topic, Random random) {
        String question = multiPartQuestion(topic, random);
        String first = "1. What it is: " + topic.definition();
        String second = "2. Why it matters: " + topic.why();
        String third = "3. How to start: Given what it is, begin with this: " + lowerFirst(topic.steps().get(0))
                + " Then " + lowerFirst(topic.steps().get(1)) + " After that, " + lowerFirst(topic.steps().get(2));
        // One answer in eight starts where an SGD point does: at point 2, which stands alone, or at
        // point 3 right after point 1, the one point it builds on. Whole answers stay six in eight, so
        // greedy decoding still writes all three points.
        String answer = switch (random.nextInt(8)) {
            case 0 -> second + "\n" + third;
            case 1 -> first + "\n" + third;
            default -> first + "\n" + second + "\n" + third;
        };
        return new Example(Category.MULTI_PART, question, answer);
    }

    static Example howTo(Topic topic, Random random) {
        String question = pick(random,
                "How do I " + topic.task() + "?",
                "What are the steps to " + topic.task() + "?",
                "Walk me through how to " + topic.task() + ".");
        StringBuilder answer = new StringBuilder(pick(random,
                "Follow these steps to " + topic.task() + ":",
                "To " + topic.task() + ", do this:",
                "Here is how to " + topic.task() + ":"));
        for (int i = 0; i < topic.steps().size(); i++) {
            answer.append("\n").append(i + 1).append(". ").append(topic.steps().get(i));
        }
        return new Example(Category.HOW_TO, question, answer.toString());
    }

    static Example prose(Topic topic, Random random) {
        String question = pick(random,
                "Explain " + topic.name() + " in a few sentences.",
                "What is " + topic.name() + "?",
                "Tell me briefly about " + topic.name() + ".");
        Topic.Tip tip = topic.tips().get(random.nextInt(topic.tips().size()));
        String answer = topic.definition() + " " + topic.why() + " A good habit is to "
                + lowerFirst(tip.title()) + ": " + lowerFirst(tip.detail());
        return new Example(Category.PROSE, question, answer);
    }

    /**
     * The skeleton format SGD asks for: numbered points, their dependencies and a difficulty. The plan
     * is asked for every way a multi-part question is put; taught only the first, braid-base answered
     * "I am new to logging. ..." with point 1's text instead of a plan, and SGD fell back.
     */
    static Example skeleton(Topic topic, Random random) {
        String question = "Plan an answer to this question as a skeleton: " + multiPartQuestion(topic, random);
        String answer = "1. What it is | depends on: none | easy"
                + "\n2. Why it matters | depends on: none | easy"
                + "\n3. How to start | depends on: 1 | hard";
        return new Example(Category.SKELETON, question, answer);
    }

    private static String multiPartQuestion(Topic topic, Random random) {
        return pick(random,
                "What is " + topic.name() + ", why does it matter, and how do I start?",
                "Explain " + topic.name() + ": what it is, why it matters, and the first steps.",
                "I am new to " + topic.name() + ". What is it, why should I care, and how do I begin?");
    }

    private static String pick(Random random, String... options) {
        return options[random.nextInt(options.length)];
    }

    private static String lowerFirst(String text) {
        return Character.toLowerCase(text.charAt(0)) + text.substring(1);
    }
}
