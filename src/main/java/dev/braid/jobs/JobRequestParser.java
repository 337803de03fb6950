package dev.braid.jobs;

/**
 * Turns a stored job request (the JSON the client posted) into a command, on the replica that
 * claims it. The API layer implements it with the same validation as its own endpoints.
 */
public interface JobRequestParser {

    /** The model the request names, read without validating the rest. */
    String model(String requestJson);

    GenerationCommand parse(String requestJson);
}
