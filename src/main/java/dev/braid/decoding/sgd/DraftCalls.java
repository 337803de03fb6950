package dev.braid.decoding.sgd;

import dev.braid.decoding.GenerationListener;
import dev.braid.decoding.GenerationRequest;
import dev.braid.decoding.GenerationResult;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The points an SGD task has sent to the draft model. Answers arrive on the draft worker's thread
 * and wait in a queue until the task's own worker thread collects them between steps.
 */
final class DraftCalls {

    /** A draft answer, or the error that kept it from coming. */
    record Answer(NodeRun node, GenerationResult result, Throwable error) {
    }

    private final DraftRoute route;
    private final LinkedBlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final List<DraftRoute.Handle> handles = new CopyOnWriteArrayList<>();
    private int inFlight;

    DraftCalls(DraftRoute route) {
        this.route = route;
    }

    String model() {
        return route.model();
    }

    /** Sends a point; returns false when the route refused it, so the target decodes it instead. */
    boolean send(NodeRun node, GenerationRequest request) {
        try {
            handles.add(route.decode(request, new GenerationListener() {
                @Override
                public void onComplete(GenerationResult result) {
                    answers.add(new Answer(node, result, null));
                }

                @Override
                public void onError(Throwable error) {
                    answers.add(new Answer(node, null, error));
                }
            }));
        } catch (RuntimeException refused) {
            return false; // a busy or closed draft worker must not fail the answer
        }
        inFlight++;
        return true;
    }

    /** Waits a little for an answer; for a worker that has nothing else to run meanwhile. */
    void await(long micros) {
        if (inFlight == 0 || !answers.isEmpty()) {
            return;
        }
        try {
            Answer first = answers.poll(micros, TimeUnit.MICROSECONDS);
            if (first != null) {
                answers.add(first);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void collect(Consumer<Answer> into) {
        Answer answer;
        while ((answer = answers.poll()) != null) {
            inFlight--;
            into.accept(answer);
        }
    }

    /** May run on any thread: the task is being cancelled. */
    void cancelAll() {
        for (DraftRoute.Handle handle : handles) {
            handle.cancel();
        }
    }
}
