import { ResourceNotFoundError } from "./errors.js";

/** An update (a post on an item), as `Update` serves it. */
export interface UpdateRecord {
  id: string;
  itemId: string;
  /** The body as written (monday keeps HTML in `body`, `text_body` is its text). */
  body: string;
  creatorId: string;
  /** The post this one replies to (`parent_id`), if any. */
  parentId: string | null;
  createdAt: string;
}

/** The account's updates, newest first when listed (as monday lists them). */
export class UpdateBook {
  private readonly all: UpdateRecord[] = [];
  private nextId = 3_000_000_001;

  /** Records a new update on `itemId` (or a reply to `parentId`, on its item). */
  create(spec: Omit<UpdateRecord, "id">): UpdateRecord {
    const update: UpdateRecord = { ...spec, id: String(this.nextId++) };
    this.all.push(update);
    return update;
  }

  /** The update `id`, or `ResourceNotFoundException`. */
  get(id: string): UpdateRecord {
    const found = this.all.find((u) => u.id === id);
    if (!found) throw new ResourceNotFoundError("Update", id);
    return found;
  }

  /** Updates matching `filter`, newest first. */
  list(filter: (u: UpdateRecord) => boolean = () => true): UpdateRecord[] {
    return this.all.filter(filter).reverse();
  }
}
