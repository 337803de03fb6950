package dev.braid.cli;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
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

    /** The titles of {@code text}'s numbered items in order, case and spacing aside. */
    static List<String> titles(String text) {
        List<String> titles = new ArrayList<>();
        Matcher item = ITEM.matcher(text);
        while (item.find()) {
            String title = item.group(1).strip().replaceAll("\\s+", " ").toLowerCase(Locale.ROOT);
            if (!title.isEmpty()) {
                titles.add(title);
            }
        }
        return titles;
    }

    /** Whether two numbered items of {@code text} carry the same title. */
    static boolean repeatsAnItem(String text) {
        List<String> titles = titles(text);
        return new HashSet<>(titles).size() < titles.size();
    }
}
