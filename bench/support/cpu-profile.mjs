// Preloaded into the controller by `bench/failover.ts --profile DIR` (NODE_OPTIONS=--import ..., where
// --cpu-prof is not allowed): profiles the whole run and writes DIR/controller-<pid>.cpuprofile on exit.
import { Session } from "node:inspector";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.APIM_DR_BENCH_PROFILE_DIR;
if (dir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.setSamplingInterval", { interval: 1000 });
  session.post("Profiler.start");
  // The main-thread session answers synchronously, so this works inside 'exit'.
  process.on("exit", () => {
    session.post("Profiler.stop", (error, result) => {
      if (!error) writeFileSync(join(dir, `controller-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
