// `npm run test:stress [-- runs]`: the whole suite N times in a row (5 by default) while a CPU
// burner keeps every core busy, as on a shared CI machine. Prints each run's result and time and
// exits non-zero unless every run passed and Jest exited by itself. The suite must pass here
// every time: a test that only passes on an idle machine waits on time instead of a condition.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { setTimeout, clearTimeout } from 'node:timers';

const runs = Number(process.argv[2] ?? 5);
// A run that has not exited after this long has hung (an open handle keeps Jest alive).
const HANG_MS = 15 * 60_000;

/** One busy loop per core, at normal priority: the suite competes for every core. */
function startBurners() {
  return os.cpus().map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

/** Runs Jest once (the build is done once beforehand); resolves with how it ended. */
function runSuite(index) {
  return new Promise((resolve) => {
    const started = Date.now();
    const jest = spawn('npx', ['jest', '--silent'], { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    const hang = setTimeout(() => {
      process.kill(-jest.pid, 'SIGKILL');
      resolve({ index, passed: false, seconds: (Date.now() - started) / 1000, note: 'did not exit (hung)' });
    }, HANG_MS);
    jest.on('exit', (code) => {
      clearTimeout(hang);
      resolve({ index, passed: code === 0, seconds: (Date.now() - started) / 1000, note: `exit ${code}` });
    });
  });
}

const build = spawn('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
if ((await new Promise((resolve) => build.on('exit', resolve))) !== 0) process.exit(1);

const burners = startBurners();
const results = [];
try {
  for (let index = 1; index <= runs; index++) {
    process.stdout.write(`\n==> stress run ${index}/${runs} (${burners.length} cores busy)\n`);
    results.push(await runSuite(index));
  }
} finally {
  for (const burner of burners) burner.kill('SIGKILL');
}

process.stdout.write('\nrun  result  seconds  note\n');
for (const r of results)
  process.stdout.write(
    `${String(r.index).padEnd(5)}${(r.passed ? 'pass' : 'FAIL').padEnd(8)}${r.seconds.toFixed(0).padStart(7)}  ${r.note}\n`,
  );
const passed = results.filter((r) => r.passed).length;
process.stdout.write(`${passed} of ${runs} green with every core busy\n`);
process.exit(passed === runs ? 0 : 1);
