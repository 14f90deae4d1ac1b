/**
 * The CSV the bulk import accepts (API-FACTS "Bulk import": UTF-8, comma-separated, a double quote inside a
 * quoted cell doubled). RFC 4180 otherwise: a cell is quoted when it holds a comma, a quote or a line break;
 * records end with CRLF or LF.
 */

/** Why a file is not CSV at all (an unterminated quote, text after a closing quote). */
export class CsvSyntaxError extends Error {
  override name = "CsvSyntaxError";
}

/** One parse in progress: the text, the position, the current record. */
class CsvReader {
  private at = 0;
  readonly records: string[][] = [];
  private record: string[] = [];

  constructor(private readonly text: string) {}

  read(): string[][] {
    while (this.at < this.text.length) this.cell();
    return this.records;
  }

  private cell(): void {
    const value = this.text[this.at] === '"' ? this.quoted() : this.plain();
    this.record.push(value);
    const next = this.text[this.at];
    if (next === ",") {
      this.at++;
      if (this.at === this.text.length) this.endRecord([""]);
      return;
    }
    this.at += next === "\r" && this.text[this.at + 1] === "\n" ? 2 : next === undefined ? 0 : 1;
    this.endRecord([]);
  }

  private endRecord(extra: string[]): void {
    this.records.push([...this.record, ...extra]);
    this.record = [];
  }

  private plain(): string {
    const start = this.at;
    while (this.at < this.text.length && !",\r\n".includes(this.text[this.at]!)) {
      if (this.text[this.at] === '"')
        throw new CsvSyntaxError(`a quote inside an unquoted cell at ${this.at}`);
      this.at++;
    }
    return this.text.slice(start, this.at);
  }

  private quoted(): string {
    let value = "";
    this.at++;
    for (;;) {
      const end = this.text.indexOf('"', this.at);
      if (end < 0) throw new CsvSyntaxError("a quoted cell is never closed");
      value += this.text.slice(this.at, end);
      this.at = end + 1;
      if (this.text[this.at] !== '"') break;
      value += '"';
      this.at++;
    }
    const next = this.text[this.at];
    if (next !== undefined && !",\r\n".includes(next))
      throw new CsvSyntaxError(`text after a closing quote at ${this.at}`);
    return value;
  }
}

/**
 * The records of a CSV text (a leading UTF-8 BOM is skipped; a last empty line is not a record).
 *
 * @example
 * parseCsv('name,text\n"A ""1""",x\n'); // [["name","text"],['A "1"',"x"]]
 */
export function parseCsv(text: string): string[][] {
  return new CsvReader(text.replace(/^\uFEFF/, "")).read();
}
