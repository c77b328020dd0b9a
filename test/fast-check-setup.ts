/**
 * Property tests run on a fixed seed unless asked otherwise, so a CI run is
 * reproducible: `FC_SEED=random npm test` explores new cases (fast-check
 * prints the seed and path of any counterexample), `FC_SEED=<n>` replays one.
 * A test that passes its own `seed` keeps it.
 */
import fc from "fast-check";

const setting = process.env.FC_SEED ?? "20261203";
if (setting !== "random") {
  const seed = Number(setting);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", got ${JSON.stringify(setting)}`);
  fc.configureGlobal({ seed });
}
