/**
 * n8n's engine logs every node error it catches to the console. The unit tests provoke many
 * errors on purpose and assert on them, so those lines are noise that looks like failures.
 * A failing test still prints its assertion; run with N8N_LOG_LEVEL=debug to see n8n's log too.
 */
process.env.N8N_LOG_LEVEL ??= 'silent';
