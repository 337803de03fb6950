package dev.braid.training;

import java.util.List;

/**
 * One subject the corpus talks about: what it is, why it matters, independent tips (list answers)
 * and ordered steps (how-to answers). All of it is Braid's own text.
 */
record Topic(String name, String definition, String why, String goal, List<Tip> tips, String task, List<String> steps) {

    record Tip(String title, String detail) {
    }

    static Tip tip(String title, String detail) {
        return new Tip(title, detail);
    }
}
