package dev.braid.decoding.sgd;

import java.util.List;

/**
 * A parsed skeleton graph: points 1..k in answer order, each depending only on earlier points,
 * which makes the graph acyclic by construction.
 */
public record Skeleton(List<Point> points) {

    public enum Difficulty { EASY, HARD }

    /** One point; {@code index} is 1-based, as the skeleton numbers it. */
    public record Point(int index, String title, List<Integer> dependsOn, Difficulty difficulty) {

        public Point {
            dependsOn = List.copyOf(dependsOn);
        }
    }

    public Skeleton {
        points = List.copyOf(points);
    }

    public Point point(int index) {
        return points.get(index - 1);
    }

    public int size() {
        return points.size();
    }
}
