package dev.braid.strategy;

import dev.braid.decoding.sgd.SgdPrompts;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code braid.strategy.sgd.*}: Skeleton Graph Decoding's prompt templates and budgets, so that SGD
 * can speak the chat and skeleton format of any instruction model. A key left out keeps its value in
 * {@link SgdPrompts#DEFAULT} (Braid's own models' format). Placeholders are written {@code {name}};
 * the ones each template may use are listed on {@link SgdPrompts}. A template with a placeholder it
 * cannot have (a typo such as {@code {questoin}}) or without one it needs fails the start, since it
 * would otherwise be sent to the model as literal text.
 *
 * @param chat              a user message as prompt text; needs {@code {message}}
 * @param skeletonRequest   phase one's user message; needs {@code {question}}
 * @param skeletonPrefill   the start of phase one's answer, put in the model's mouth
 * @param nodeRequest       phase two's user message, the same for every point; needs {@code {question}},
 *                          may use {@code {skeleton}}
 * @param parentAnswer      one finished parent in a point's prompt: {@code {index}}, {@code {title}}, {@code {answer}}
 * @param nodeAnswer        the start of a point's answer: {@code {parents}}, {@code {index}}, {@code {title}}
 * @param heading           a point's heading in the assembled answer: {@code {index}}, {@code {title}}
 * @param separator         text between points in the assembled answer
 * @param maxSkeletonTokens phase one's token budget
 * @param maxPoints         the most points a skeleton may have
 * @param maxNodeTokens     one point's token budget (the request's max tokens bounds it too)
 * @param nodeEndsAtNewline whether a point's answer ends at its first line break
 */
@ConfigurationProperties("braid.strategy.sgd")
public record SgdProperties(String chat, String skeletonRequest, String skeletonPrefill, String nodeRequest,
                            String parentAnswer, String nodeAnswer, String heading, String separator,
                            Integer maxSkeletonTokens, Integer maxPoints, Integer maxNodeTokens,
                            Boolean nodeEndsAtNewline) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)}");

    /** The placeholders each template may use; the ones it must use. */
    private record Template(String key, Set<String> allowed, Set<String> required) {
    }

    private static final List<Template> TEMPLATES = List.of(
            new Template("chat", Set.of("message"), Set.of("message")),
            new Template("skeleton-request", Set.of("question"), Set.of("question")),
            new Template("skeleton-prefill", Set.of(), Set.of()),
            new Template("node-request", Set.of("question", "skeleton"), Set.of("question")),
            new Template("parent-answer", Set.of("index", "title", "answer"), Set.of()),
            new Template("node-answer", Set.of("parents", "index", "title"), Set.of()),
            new Template("heading", Set.of("index", "title"), Set.of()),
            new Template("separator", Set.of(), Set.of()));

    public SgdProperties {
        SgdPrompts d = SgdPrompts.DEFAULT;
        chat = chat != null ? chat : d.chat();
        skeletonRequest = skeletonRequest != null ? skeletonRequest : d.skeletonRequest();
        skeletonPrefill = skeletonPrefill != null ? skeletonPrefill : d.skeletonPrefill();
        nodeRequest = nodeRequest != null ? nodeRequest : d.nodeRequest();
        parentAnswer = parentAnswer != null ? parentAnswer : d.parentAnswer();
        nodeAnswer = nodeAnswer != null ? nodeAnswer : d.nodeAnswer();
        heading = heading != null ? heading : d.heading();
        separator = separator != null ? separator : d.separator();
        maxSkeletonTokens = maxSkeletonTokens != null ? maxSkeletonTokens : d.maxSkeletonTokens();
        maxPoints = maxPoints != null ? maxPoints : d.maxPoints();
        maxNodeTokens = maxNodeTokens != null ? maxNodeTokens : d.maxNodeTokens();
        nodeEndsAtNewline = nodeEndsAtNewline != null ? nodeEndsAtNewline : d.nodeEndsAtNewline();
        Map<String, String> values = Map.of("chat", chat, "skeleton-request", skeletonRequest,
                "skeleton-prefill", skeletonPrefill, "node-request", nodeRequest, "parent-answer", parentAnswer,
                "node-answer", nodeAnswer, "heading", heading, "separator", separator);
        for (Template t : TEMPLATES) {
            check(t, values.get(t.key()));
        }
        if (maxSkeletonTokens < 1 || maxPoints < 1 || maxNodeTokens < 1) {
            throw new IllegalArgumentException("braid.strategy.sgd: max-skeleton-tokens, max-points and "
                    + "max-node-tokens must be positive, got " + maxSkeletonTokens + ", " + maxPoints + ", "
                    + maxNodeTokens);
        }
    }

    /** All defaults: {@link SgdPrompts#DEFAULT}. */
    public static SgdProperties defaults() {
        return new SgdProperties(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** The prompts SGD runs with; validated once more by {@link SgdPrompts} itself. */
    public SgdPrompts prompts() {
        return new SgdPrompts(chat, skeletonRequest, skeletonPrefill, nodeRequest, parentAnswer, nodeAnswer, heading,
                separator, maxSkeletonTokens, maxPoints, maxNodeTokens, nodeEndsAtNewline, null);
    }

    private static void check(Template template, String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        String key = "braid.strategy.sgd." + template.key();
        for (String name : found) {
            if (!template.allowed().contains(name)) {
                throw new IllegalArgumentException(key + " has an unknown placeholder {" + name + "}"
                        + (template.allowed().isEmpty() ? "; it takes none"
                        : "; it may use " + braces(template.allowed())));
            }
        }
        for (String name : template.required()) {
            if (!found.contains(name)) {
                throw new IllegalArgumentException(key + " needs the placeholder {" + name + "}");
            }
        }
    }

    private static String braces(Set<String> names) {
        return String.join(", ", new TreeSet<>(names).stream().map(n -> "{" + n + "}").toList());
    }
}
