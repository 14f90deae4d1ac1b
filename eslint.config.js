// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** The pipeline's core: it is driven by the CLI and the server and observed by `observe/`, never the reverse. */
const CORE_MODULES = [
  "config",
  "db",
  "source",
  "detect",
  "quality",
  "mapping",
  "stage",
  "state",
  "sync",
  "monday",
  "rollback",
];

/** What the core must not import: the outer layers, and the emulator it is tested against. */
const OUTER_LAYERS = ["observe", "http", "cli", "emulator", "demo"];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "coverage/", ".tmp/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  // The layers (issue 11): each block below replaces the rule for its files, so config's stricter one comes last.
  {
    files: CORE_MODULES.map((m) => `src/${m}/**/*.ts`),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: OUTER_LAYERS.map((layer) => `**/${layer}/**`),
              message: `core modules (src/${CORE_MODULES.join(", ")}) never import ${OUTER_LAYERS.join("/, ")}/: pass what they need in, or emit an event`,
            },
          ],
        },
      ],
    },
  },
  {
    files: ["src/config/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["../**"],
              message: "config is the bottom layer: it imports only ./ files and packages",
            },
          ],
        },
      ],
    },
  },
  // The emulator's own folders may reach its top (`../`), never past it into the product.
  ...[
    { files: ["src/emulator/*.ts"], outside: "../**" },
    { files: ["src/emulator/*/*.ts"], outside: "../../**" },
    { files: ["src/emulator/*/*/**/*.ts"], outside: "../../../**" },
  ].map(({ files, outside }) => ({
    files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [outside],
              message:
                "the emulator imports nothing from the product (only its own files and packages); seed it with board specs",
            },
          ],
        },
      ],
    },
  })),
);
