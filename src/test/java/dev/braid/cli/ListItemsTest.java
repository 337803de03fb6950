package dev.braid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ListItemsTest {

    @Test
    void aTitleGivenTwiceIsARepeatWhateverItsDetailOrCase() {
        assertThat(ListItems.repeatsAnItem("""
                Here are four tips:
                1. Keep a regular schedule: Go to bed at the same time.
                2. Keep the room cool: A cool room helps.
                3. Keep a Regular  schedule: Go to bed and wake up at the same times."""))
                .isTrue();
    }

    @Test
    void distinctItemsAndProseAreNoRepeat() {
        assertThat(ListItems.repeatsAnItem("""
                Here are 3 ways:
                1. Index the filter columns: Add indexes.
                2. Read the query plan: Use explain.
                3. Keep statistics fresh: Run analyze."""))
                .isFalse();
        assertThat(ListItems.repeatsAnItem("Caching keeps a copy close by. It matters because reads are slow."))
                .isFalse();
        assertThat(ListItems.repeatsAnItem("1) One thing\n2) Another thing")).isFalse();
    }
}
