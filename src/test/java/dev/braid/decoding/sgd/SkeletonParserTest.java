package dev.braid.decoding.sgd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.braid.decoding.sgd.Skeleton.Difficulty;
import java.util.List;
import org.junit.jupiter.api.Test;

class SkeletonParserTest {

    private final SkeletonParser parser = new SkeletonParser(10);

    @Test
    void readsTheCorpusFormat() throws Exception {
        Skeleton skeleton = parser.parse("1. What it is | depends on: none | easy\n"
                + "2. Why it matters | depends on: 1 | easy\n"
                + "3. How to start | depends on: 1, 2 | hard");
        assertThat(skeleton.points()).containsExactly(
                new Skeleton.Point(1, "What it is", List.of(), Difficulty.EASY),
                new Skeleton.Point(2, "Why it matters", List.of(1), Difficulty.EASY),
                new Skeleton.Point(3, "How to start", List.of(1, 2), Difficulty.HARD));
    }

    @Test
    void toleratesBlankLinesSpacingAndCase() throws Exception {
        Skeleton skeleton = parser.parse("\n 1.Kinds|depends on:none|EASY \n\n2. Costs | Depends On: 1 | Hard\n");
        assertThat(skeleton.size()).isEqualTo(2);
        assertThat(skeleton.point(1).title()).isEqualTo("Kinds");
        assertThat(skeleton.point(2).dependsOn()).containsExactly(1);
        assertThat(skeleton.point(2).difficulty()).isEqualTo(Difficulty.HARD);
    }

    @Test
    void rejectsCycles() {
        assertReason("1. A | depends on: 2 | easy\n2. B | depends on: 1 | hard",
                "the dependencies form a cycle: 1 -> 2 -> 1");
        assertReason("1. A | depends on: none | easy\n2. B | depends on: 2 | hard",
                "the dependencies form a cycle: 2 -> 2");
        assertReason("1. A | depends on: 3 | easy\n2. B | depends on: 1 | easy\n3. C | depends on: 2 | hard",
                "the dependencies form a cycle: 1 -> 3 -> 2 -> 1");
    }

    @Test
    void rejectsForwardReferencesEvenWithoutACycle() {
        assertReason("1. A | depends on: 2 | easy\n2. B | depends on: none | hard",
                "point 1 depends on later point 2");
    }

    @Test
    void rejectsReferencesToMissingPoints() {
        assertReason("1. A | depends on: none | easy\n2. B | depends on: 7 | hard",
                "point 2 depends on point 7, which does not exist");
        assertReason("1. A | depends on: 0 | easy", "point 1 depends on point 0, which does not exist");
    }

    @Test
    void rejectsDuplicatesAndGaps() {
        assertReason("1. A | depends on: none | easy\n1. B | depends on: none | hard", "point 1 appears twice");
        assertReason("1. A | depends on: none | easy\n3. B | depends on: 1 | hard",
                "point 3 found where point 2 was expected");
        assertReason("2. A | depends on: none | easy", "point 2 found where point 1 was expected");
        assertReason("1. A | depends on: none | easy\n2. B | depends on: 1, 1 | hard", "point 2 lists point 1 twice");
    }

    @Test
    void rejectsGarbage() {
        assertReason("Sure! Here is my plan.", "line 1 is not a point");
        assertReason("1. A | depends on: none | easy\nand then we are done", "line 2 is not a point");
        assertReason("1. A | depends on: none", "line 1 is not a point");
        assertReason("1. A | depends on: the first one | easy", "point 1 has dependencies 'the first one'");
        assertReason("1. A | depends on: none | medium", "point 1 has difficulty 'medium', not easy or hard");
        assertReason("1.  | depends on: none | easy", "point 1 has no title");
        assertReason("  \n\n ", "the skeleton has no points");
        assertReason("99999999999. A | depends on: none | easy", "too large");
    }

    @Test
    void aTitleIsAHeadingOfAtMostEightyCharacters() throws Exception {
        String eighty = "x".repeat(SkeletonParser.MAX_TITLE);
        assertThat(parser.parse("1. " + eighty + " | depends on: none | easy").points().get(0).title()).isEqualTo(eighty);
        assertReason("1. " + eighty + "y | depends on: none | easy",
                "point 1 has a title of 81 characters, more than the 80 of a heading");
    }

    @Test
    void aTitleIsOneSentenceAtMost() throws Exception {
        assertThat(parser.parse("1. Index the filter columns. | depends on: none | easy").points().get(0).title())
                .isEqualTo("Index the filter columns.");
        assertThat(parser.parse("1. Version 2.5 and later | depends on: none | easy").points().get(0).title())
                .isEqualTo("Version 2.5 and later");
        assertReason("1. Use clear. Find the slow path | depends on: none | easy",
                "point 1 has a title of more than one sentence, an answer rather than a heading: 'Use clear. Find the slow path'");
    }

    @Test
    void aLineBeingWrittenIsRefusedOnlyOnceNoContinuationCanBeAPoint() throws Exception {
        // every beginning of every line of a skeleton the parser accepts may go on
        String skeleton = "1. What it is | depends on: none | easy\n 2. Costs | Depends On: NONE | HARD \n"
                + "3. " + "x".repeat(SkeletonParser.MAX_TITLE) + " | depends on: 1,2 | hard\n"
                + "4. Ship it. | depends on: 3 | easy\n5. Version 2.5 and later | depends on: none | easy";
        assertThat(parser.parse(skeleton).size()).isEqualTo(5);
        for (String line : skeleton.split("\n")) {
            for (int end = 0; end <= line.length(); end++) {
                parser.checkUnfinishedLine(2, line.substring(0, end));
            }
        }
        for (String dead : List.of("Sure", "1) A", "1. What it is | depends on the", "1. What it is | needs: 1",
                "1. What it is | depends on: one", "1. What it is | depends on: 1 | medium",
                "1. " + "x".repeat(SkeletonParser.MAX_TITLE + 1), "1. Use clear. F", "1. Use spaced repetition: Review.  M")) {
            assertThatThrownBy(() -> parser.checkUnfinishedLine(2, dead)).as(dead)
                    .isInstanceOf(MalformedSkeletonException.class)
                    .hasMessageContaining("line 2 cannot become a point");
        }
    }

    @Test
    void rejectsMorePointsThanAllowed() {
        StringBuilder text = new StringBuilder();
        for (int i = 1; i <= 11; i++) {
            text.append(i).append(". P").append(i).append(" | depends on: none | easy\n");
        }
        assertReason(text.toString(), "the skeleton has 11 points, more than the 10 allowed");
    }

    private void assertReason(String text, String reason) {
        assertThatThrownBy(() -> parser.parse(text))
                .isInstanceOf(MalformedSkeletonException.class)
                .hasMessageContaining(reason);
    }
}
