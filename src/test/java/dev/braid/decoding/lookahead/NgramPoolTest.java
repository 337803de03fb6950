package dev.braid.decoding.lookahead;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NgramPoolTest {

    @Test
    void keepsAtMostGPerKeyAndEvictsTheLeastRecentlyUsed() {
        NgramPool pool = new NgramPool(2, 3);
        pool.add(new int[] {7, 1, 2}, 0);
        pool.add(new int[] {7, 3, 4}, 0);
        pool.add(new int[] {7, 1, 2}, 0);      // used again: now the most recent
        pool.add(new int[] {7, 5, 6}, 0);      // evicts {3, 4}, the least recent
        assertThat(pool.size(7)).isEqualTo(2);
        assertThat(pool.candidates(7, 5, 2)).containsExactly(new int[] {5, 6}, new int[] {1, 2});
        pool.touch(7, new int[] {1});
        assertThat(pool.candidates(7, 1, 2)).containsExactly(new int[] {1, 2});
        assertThat(pool.candidates(8, 5, 2)).isEmpty();
    }

    @Test
    void takesEveryNgramOfATextAndCutsCandidatesWithoutDuplicates() {
        NgramPool pool = new NgramPool(8, 3);
        pool.addAll(new int[] {1, 2, 3, 1, 2, 4, 1});
        // n-grams keyed 1: {2,3} and {2,4}; 2: {3,1}, {4,1}; 3: {1,2}; the trailing 1 starts none
        assertThat(pool.size(1)).isEqualTo(2);
        assertThat(pool.candidates(1, 8, 2)).containsExactly(new int[] {2, 4}, new int[] {2, 3});
        assertThat(pool.candidates(1, 8, 1)).as("alike once cut to one token").containsExactly(new int[] {2});
        assertThat(pool.candidates(3, 8, 2)).containsExactly(new int[] {1, 2});
    }
}
