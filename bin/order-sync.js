#!/usr/bin/env node
// Entry point installed as the `order-sync` command; the CLI itself lives in src/cli (built to dist/).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv);
