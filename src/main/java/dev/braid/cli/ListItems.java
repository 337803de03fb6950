package dev.braid.cli;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The numbered items of an answer ("1. Keep a regular schedule: ..."), to count answers that give
 * the same item twice, a failure a small model shows in greedy lists.
 */
final class ListItems {

    /** A numbered line's title: the text after "N." up to its first colon, or the whole line. */
    private static final Pattern ITEM = Pattern.compile("(?m)^\\s*\\d+[.)]\\s*([^:\\n]+)");

    private ListItems() {
    }

    /** Whether two numbered items of {@code text} carry the same title (case and spacing aside). */
    static boolean repeatsAnItem(String text) {
        Set<String> titles = new HashSet<>();
        Matcher item = ITEM.matcher(text);
        while (item.find()) {
            String title = item.group(1).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
            if (!title.isEmpty() && !titles.add(title)) {
                return true;
            }
        }
        return false;
    }
}
