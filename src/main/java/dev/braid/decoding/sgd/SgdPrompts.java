package dev.braid.decoding.sgd;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SGD's prompt templates and budgets. Placeholders are written {@code {name}}. The defaults speak
 * the chat format and the skeleton format of Braid's own models (training/ChatFormat and
 * CorpusGenerator): the skeleton request is the corpus's own wording, and a point is written as the
 * corpus writes a multi-part answer, {@code "k. Title: text"}, one point per line.
 *
 * <p>The default point prompt is the question alone, with the parents' answers and the point's
 * heading as the start of the answer: the plan reaches the point through its heading and its
 * parents. Braid's small models never saw a plan inside a question, and with one
 * ({@code "{question}\nAnswer along this plan:\n{skeleton}"}) braid-base lost the topic (asked
 * about caching, it wrote about budgets; mean log-likelihood of its answers under braid-base -0.20
 * against 0.00 for AR). An instruction model that follows a plan is given one with a
 * {@code node-request} that uses {@code {skeleton}}.
 *
 * @param chat              a user message as prompt text: {@code {message}}
 * @param skeletonRequest   phase one's user message: {@code {question}}
 * @param skeletonPrefill   the start of phase one's answer, put in the model's mouth
 * @param nodeRequest       phase two's user message, the same for every point so its KV is shared:
 *                          {@code {question}}, {@code {skeleton}} (the points' titles, one per line)
 * @param parentAnswer      one finished parent in a point's prompt: {@code {index}}, {@code {title}}, {@code {answer}}
 * @param nodeAnswer        the start of a point's answer: {@code {parents}}, {@code {index}}, {@code {title}}
 * @param heading           a point's heading in the assembled answer: {@code {index}}, {@code {title}}
 * @param separator         text between points in the assembled answer
 * @param maxSkeletonTokens phase one's budget
 * @param maxPoints         the most points a skeleton may have
 * @param maxNodeTokens     one point's budget (the request's max new tokens bounds it too)
 * @param nodeEndsAtNewline whether a point ends at its first line break, as a point of the corpus does
 * @param fixedSkeleton     skeleton text to use instead of asking the model, or null
 */
public record SgdPrompts(String chat, String skeletonRequest, String skeletonPrefill, String nodeRequest,
                         String parentAnswer, String nodeAnswer, String heading, String separator,
                         int maxSkeletonTokens, int maxPoints, int maxNodeTokens, boolean nodeEndsAtNewline,
                         String fixedSkeleton) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    public static final SgdPrompts DEFAULT = new SgdPrompts(
            "<|user|>\n{message}<|end|>\n<|assistant|>\n",
            "Plan an answer to this question as a skeleton: {question}",
            "1.",
            "{question}",
            "{index}. {title}:{answer}\n",
            "{parents}{index}. {title}:",
            "{index}. {title}:",
            "\n",
            128, 10, 128, true, null);

    public SgdPrompts {
        for (String template : List.of(chat, skeletonRequest, skeletonPrefill, nodeRequest, parentAnswer, nodeAnswer,
                heading, separator)) {
            Objects.requireNonNull(template, "SGD prompt templates must not be null");
        }
        if (!chat.contains("{message}")) {
            throw new IllegalArgumentException("the SGD chat template needs a {message} placeholder");
        }
        if (maxSkeletonTokens < 1 || maxPoints < 1 || maxNodeTokens < 1) {
            throw new IllegalArgumentException("SGD budgets must be positive");
        }
    }

    /** These prompts with a skeleton given up front, so phase one is skipped (tests, replays). */
    public SgdPrompts withFixedSkeleton(String skeleton) {
        return new SgdPrompts(chat, skeletonRequest, skeletonPrefill, nodeRequest, parentAnswer, nodeAnswer, heading,
                separator, maxSkeletonTokens, maxPoints, maxNodeTokens, nodeEndsAtNewline, skeleton);
    }

    public SgdPrompts withNodeRequest(String request) {
        return new SgdPrompts(chat, skeletonRequest, skeletonPrefill, request, parentAnswer, nodeAnswer, heading,
                separator, maxSkeletonTokens, maxPoints, maxNodeTokens, nodeEndsAtNewline, fixedSkeleton);
    }

    public SgdPrompts withNodeEndsAtNewline(boolean endsAtNewline) {
        return new SgdPrompts(chat, skeletonRequest, skeletonPrefill, nodeRequest, parentAnswer, nodeAnswer, heading,
                separator, maxSkeletonTokens, maxPoints, maxNodeTokens, endsAtNewline, fixedSkeleton);
    }

    public SgdPrompts withBudgets(int skeletonTokens, int nodeTokens) {
        return new SgdPrompts(chat, skeletonRequest, skeletonPrefill, nodeRequest, parentAnswer, nodeAnswer, heading,
                separator, skeletonTokens, maxPoints, nodeTokens, nodeEndsAtNewline, fixedSkeleton);
    }

    /**
     * Whether a point's prompt holds the whole plan ({@code {skeleton}}), so that no point can start
     * before the skeleton is complete.
     */
    boolean pointPromptShowsPlan() {
        return nodeRequest.contains("{skeleton}");
    }

    String skeletonPrompt(String question) {
        return render(chat, Map.of("message", render(skeletonRequest, Map.of("question", question)))) + skeletonPrefill;
    }

    /** The part of every point's prompt that does not depend on the point. */
    String nodeTrunk(String question, Skeleton skeleton) {
        StringBuilder titles = new StringBuilder();
        for (Skeleton.Point p : skeleton.points()) {
            titles.append(titles.isEmpty() ? "" : "\n").append(p.index()).append(". ").append(p.title());
        }
        String request = render(nodeRequest, Map.of("question", question, "skeleton", titles.toString()));
        return render(chat, Map.of("message", request));
    }

    /** The point-specific end of a point's prompt; {@code parents} are rendered {@link #parent} texts. */
    String nodeSuffix(Skeleton.Point point, String parents) {
        return render(nodeAnswer, Map.of("parents", parents, "index", Integer.toString(point.index()),
                "title", point.title()));
    }

    String parent(Skeleton.Point point, String answer) {
        return render(parentAnswer, Map.of("index", Integer.toString(point.index()), "title", point.title(),
                "answer", answer));
    }

    String heading(Skeleton.Point point) {
        return render(heading, Map.of("index", Integer.toString(point.index()), "title", point.title()));
    }

    /** Fills every placeholder in one pass, so text from the user or the model is never read as one. */
    static String render(String template, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
