package dev.braid.decoding.sgd;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the skeleton format Braid's corpus teaches, one point per line:
 * <pre>
 * 1. What it is | depends on: none | easy
 * 2. How to start | depends on: 1 | hard
 * </pre>
 * Strict on purpose: a skeleton that is not exactly a DAG of numbered points would schedule
 * nonsense, and plain decoding is always there to fall back on. Blank lines are ignored. A title is
 * a heading: at most {@link #MAX_TITLE} characters and no sentence followed by another. Past either
 * the model is answering, not planning, and a line refused at its second sentence costs fewer
 * skeleton steps before the fallback than one refused at its 81st character.
 */
public final class SkeletonParser {

    private static final Pattern LINE = Pattern.compile(
            "(\\d+)\\.\\s*(.*?)\\s*\\|\\s*depends on:\\s*(.*?)\\s*\\|\\s*(\\S*)", Pattern.CASE_INSENSITIVE);
    private static final Pattern NUMBERS = Pattern.compile("\\d+(\\s*,\\s*\\d+)*");
    static final int MAX_TITLE = 80;
    /** What follows a full stop that ends one sentence of a title and starts another. */
    private static final String NEXT_SENTENCE = "\\s+[^|\\s]";
    /** A full stop with more text after it: a title that goes on to a second sentence. */
    private static final Pattern SECOND_SENTENCE = Pattern.compile("\\." + NEXT_SENTENCE);
    /**
     * A line as {@link #parse} accepts it, titles without '|' and without a {@link #SECOND_SENTENCE}:
     * a line being written that this cannot match even with more characters will never be a point.
     */
    private static final Pattern POINT = Pattern.compile("\\s*\\d+\\.\\s*(?:[^|\\n.]|\\.(?!" + NEXT_SENTENCE + ")){1,"
            + MAX_TITLE + "}\\s*\\|\\s*depends on:\\s*(none|\\d+(\\s*,\\s*\\d+)*)\\s*\\|\\s*(easy|hard)\\s*",
            Pattern.CASE_INSENSITIVE);
    private static final int QUOTE = 60;

    private final int maxPoints;

    public SkeletonParser(int maxPoints) {
        if (maxPoints < 1) {
            throw new IllegalArgumentException("a skeleton must allow at least one point, got " + maxPoints);
        }
        this.maxPoints = maxPoints;
    }

    public Skeleton parse(String text) throws MalformedSkeletonException {
        List<Skeleton.Point> points = new ArrayList<>();
        Set<Integer> seen = new HashSet<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new MalformedSkeletonException("line " + (i + 1)
                        + " is not a point 'k. title | depends on: none or j, ... | easy or hard': '" + quote(line) + "'");
            }
            int number = number(m.group(1), line);
            int expected = points.size() + 1;
            if (seen.contains(number)) {
                throw new MalformedSkeletonException("point " + number + " appears twice");
            }
            if (number != expected) {
                throw new MalformedSkeletonException("point " + number + " found where point " + expected
                        + " was expected: points are numbered 1, 2, ... in order");
            }
            seen.add(number);
            if (m.group(2).isEmpty()) {
                throw new MalformedSkeletonException("point " + number + " has no title");
            }
            if (m.group(2).length() > MAX_TITLE) {
                throw new MalformedSkeletonException("point " + number + " has a title of " + m.group(2).length()
                        + " characters, more than the " + MAX_TITLE + " of a heading");
            }
            if (SECOND_SENTENCE.matcher(m.group(2)).find()) {
                throw new MalformedSkeletonException("point " + number + " has a title of more than one sentence, "
                        + "an answer rather than a heading: '" + quote(m.group(2)) + "'");
            }
            points.add(new Skeleton.Point(number, m.group(2), dependencies(number, m.group(3)),
                    difficulty(number, m.group(4))));
        }
        if (points.isEmpty()) {
            throw new MalformedSkeletonException("the skeleton has no points: '" + quote(text.strip()) + "'");
        }
        if (points.size() > maxPoints) {
            throw new MalformedSkeletonException("the skeleton has " + points.size() + " points, more than the "
                    + maxPoints + " allowed");
        }
        checkReferences(points);
        return new Skeleton(points);
    }

    /**
     * Refuses line {@code number} of a skeleton still being written, {@code partial} so far, once no
     * continuation of it can be a point: the task need not decode the rest of a line it cannot use.
     */
    public void checkUnfinishedLine(int number, String partial) throws MalformedSkeletonException {
        Matcher m = POINT.matcher(partial);
        if (!partial.isBlank() && !m.matches() && !m.hitEnd()) {
            throw new MalformedSkeletonException("line " + number
                    + " cannot become a point 'k. title | depends on: none or j, ... | easy or hard': '"
                    + quote(partial.strip()) + "'");
        }
    }

    private static List<Integer> dependencies(int point, String text) throws MalformedSkeletonException {
        if (text.equalsIgnoreCase("none")) {
            return List.of();
        }
        if (!NUMBERS.matcher(text).matches()) {
            throw new MalformedSkeletonException("point " + point + " has dependencies '" + quote(text)
                    + "', not 'none' or point numbers separated by commas");
        }
        List<Integer> parents = new ArrayList<>();
        for (String part : text.split(",")) {
            int parent = number(part.strip(), text);
            if (parents.contains(parent)) {
                throw new MalformedSkeletonException("point " + point + " lists point " + parent + " twice");
            }
            parents.add(parent);
        }
        return parents;
    }

    private static Skeleton.Difficulty difficulty(int point, String text) throws MalformedSkeletonException {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "easy" -> Skeleton.Difficulty.EASY;
            case "hard" -> Skeleton.Difficulty.HARD;
            default -> throw new MalformedSkeletonException("point " + point + " has difficulty '" + quote(text)
                    + "', not easy or hard");
        };
    }

    /** Missing points first, then cycles (their most telling name), then any remaining forward reference. */
    private static void checkReferences(List<Skeleton.Point> points) throws MalformedSkeletonException {
        for (Skeleton.Point p : points) {
            for (int parent : p.dependsOn()) {
                if (parent < 1 || parent > points.size()) {
                    throw new MalformedSkeletonException("point " + p.index() + " depends on point " + parent
                            + ", which does not exist");
                }
            }
        }
        List<Integer> cycle = findCycle(points);
        if (!cycle.isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (int point : cycle) {
                path.append(path.isEmpty() ? "" : " -> ").append(point);
            }
            throw new MalformedSkeletonException("the dependencies form a cycle: " + path);
        }
        for (Skeleton.Point p : points) {
            for (int parent : p.dependsOn()) {
                if (parent > p.index()) {
                    throw new MalformedSkeletonException("point " + p.index() + " depends on later point " + parent
                            + ": a point may only build on points before it");
                }
            }
        }
    }

    /** A dependency cycle as a closed path (first point repeated at the end), or empty. */
    private static List<Integer> findCycle(List<Skeleton.Point> points) {
        int[] state = new int[points.size() + 1]; // 0 unvisited, 1 on the path, 2 done
        List<Integer> path = new ArrayList<>();
        for (Skeleton.Point p : points) {
            List<Integer> cycle = visit(p.index(), points, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        return List.of();
    }

    private static List<Integer> visit(int point, List<Skeleton.Point> points, int[] state, List<Integer> path) {
        if (state[point] == 2) {
            return List.of();
        }
        if (state[point] == 1) {
            List<Integer> cycle = new ArrayList<>(path.subList(path.indexOf(point), path.size()));
            cycle.add(point);
            return cycle;
        }
        state[point] = 1;
        path.add(point);
        for (int parent : points.get(point - 1).dependsOn()) {
            List<Integer> cycle = visit(parent, points, state, path);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        state[point] = 2;
        return List.of();
    }

    private static int number(String digits, String context) throws MalformedSkeletonException {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw new MalformedSkeletonException("'" + quote(context) + "' holds a number too large to be a point");
        }
    }

    private static String quote(String text) {
        String line = text.replace("\n", "\\n");
        return line.length() <= QUOTE ? line : line.substring(0, QUOTE) + "...";
    }
}
