// Copies the non-TypeScript files the code loads at run time (.graphql documents, the emulator's SDL) into dist/.
import { cpSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const src = "src";
const walk = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
for (const file of walk(src).filter((f) => f.endsWith(".graphql"))) {
  cpSync(file, join("dist", relative(src, file)));
}
