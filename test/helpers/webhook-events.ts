// A monday.com column-change webhook event as API-FACTS "Webhooks" shows it, for tests and the bench.
import { randomBytes } from "node:crypto";

/** An `update_column_value` event (body `{"event": …}`); `fields` override any field. */
export function columnChangeEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    app: "monday",
    type: "update_column_value",
    triggerTime: new Date().toISOString(),
    subscriptionId: 810000001,
    isRetry: false,
    userId: 1000002,
    originalTriggerUuid: null,
    boardId: 5001000001,
    groupId: "topics",
    pulseId: 9000000001,
    pulseName: "PO-1",
    columnId: "color",
    columnType: "text",
    columnTitle: "Colour",
    value: { value: "Red" },
    previousValue: { value: "Black" },
    changedAt: Date.now() / 1000,
    isTopGroup: true,
    triggerUuid: randomBytes(16).toString("hex"),
    ...fields,
  };
}
