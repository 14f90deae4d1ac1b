/**
 * monday.com's limits on the values the sync writes, in one place: validation (`quality/`), the value
 * mappers (`mapping/`) and the snapshot (`detect/`) import them from here. The emulator enforces the same
 * limits from its own copy, since it imports nothing from the product.
 */

/** An item name is 1–255 characters (monday's `create_item` rejects longer ones). */
export const MAX_ITEM_NAME = 255;

/** A long text column holds at most 2,000 characters. */
export const MAX_LONG_TEXT = 2_000;
