package dev.braid.decoding;

import java.util.concurrent.CompletableFuture;

/** A listener that completes a future with the task's result; for callers that wait. */
public class ResultFuture extends CompletableFuture<GenerationResult> implements GenerationListener {

    @Override
    public void onComplete(GenerationResult result) {
        complete(result);
    }

    @Override
    public void onError(Throwable error) {
        completeExceptionally(error);
    }
}
