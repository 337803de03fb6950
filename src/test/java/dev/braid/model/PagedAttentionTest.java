package dev.braid.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class PagedAttentionTest {

    @Test
    void anOrderThatMovesOnlyAxesOfLengthOneIsAReshape() {
        // one sequence, one token, 4 K/V heads of 2 query heads each: only the head axes have length
        assertThat(PagedAttention.movesOnlyUnitAxes(new long[] {1, 1, 4, 2, 64}, new int[] {2, 0, 3, 1, 4})).isTrue();
        // five tokens of one sequence: the token axis moves behind the heads
        assertThat(PagedAttention.movesOnlyUnitAxes(new long[] {1, 5, 4, 2, 64}, new int[] {2, 0, 3, 1, 4})).isFalse();
        // two sequences of one token: the batch axis moves behind the heads
        assertThat(PagedAttention.movesOnlyUnitAxes(new long[] {2, 1, 4, 2, 64}, new int[] {2, 0, 3, 1, 4})).isFalse();
    }

    @Test
    void rearrangingGivesTheSameValuesWhicheverWayItIsDone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            long[][] shapes = {{1, 1, 3, 2, 4}, {2, 3, 3, 2, 4}};
            for (long[] shape : shapes) {
                NDArray x = manager.arange(0f, (float) new Shape(shape).size()).reshape(shape[0] * shape[1], shape[2] * shape[3] * shape[4]);
                int[] order = {2, 0, 3, 1, 4};
                long[] target = {shape[2], shape[0], shape[3] * shape[1], shape[4]};
                NDArray expected = x.reshape(shape).transpose(order).reshape(target);
                assertThat(PagedAttention.rearrange(x, shape, order, target).contentEquals(expected)).isTrue();
            }
        }
    }
}
