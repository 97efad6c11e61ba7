/**
 * One standalone SVG for a Plot figure: Plot wraps a chart that has a title or a swatch legend
 * in an HTML `<figure>` (an `<h2>`, a row of swatches, then the chart's `<svg>`), which only an
 * HTML renderer shows. Viewers that show `image/svg+xml` but not HTML (GitHub's notebook view)
 * get this instead: the title and the swatches drawn in SVG above the chart, nested as is.
 *
 * @module
 */

const SVG_NS = "http://www.w3.org/2000/svg";

const escapeXml = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The main chart of a figure: its last `<svg>` that is not a swatch. */
function chartOf(figure: Element): Element | null {
  const svgs = [...figure.querySelectorAll("svg")].filter((s) => !s.closest("span"));
  return svgs.at(-1) ?? null;
}

/**
 * The SVG text of a Plot `<figure>` (see the module doc), or null when it holds no chart.
 *
 * @example
 * ```ts
 * import { barChart } from "./plot.ts";
 * const view = barChart([{ a: "x", b: 1, c: "p" }], { x: "a", y: "b", fill: "c", title: "T" });
 * const bundle = (view[Symbol.for("Jupyter.display")] as () => Record<string, string>)();
 * if (!bundle["image/svg+xml"].includes(">T</text>")) throw new Error("no title");
 * ```
 */
export function figureSvg(figure: Element): string | null {
  const chart = chartOf(figure);
  if (!chart) return null;
  const width = Number(chart.getAttribute("width") ?? 640);
  const height = Number(chart.getAttribute("height") ?? 400);
  const parts: string[] = [];
  let y = 0;
  const title = figure.querySelector("h2")?.textContent?.trim();
  if (title) {
    parts.push(
      `<text x="0" y="18" font-size="16" font-weight="bold" fill="currentColor">${
        escapeXml(title)
      }</text>`,
    );
    y += 28;
  }
  const swatches = [...figure.querySelectorAll("span")].filter((s) => s.querySelector("svg"));
  if (swatches.length) {
    // Lay the swatches out in rows, as the HTML legend wraps them.
    let x = 0;
    y += 4;
    for (const swatch of swatches) {
      const label = swatch.textContent?.trim() ?? "";
      const fill = swatch.querySelector("svg")?.getAttribute("fill") ?? "currentColor";
      const w = 15 + 6 + label.length * 6 + 14;
      if (x > 0 && x + w > width) {
        x = 0;
        y += 20;
      }
      parts.push(
        `<rect x="${x}" y="${y}" width="15" height="15" fill="${escapeXml(fill)}"/>` +
          `<text x="${x + 21}" y="${y + 11}" font-size="10" fill="currentColor">${
            escapeXml(label)
          }</text>`,
      );
      x += w;
    }
    y += 24;
  }
  chart.setAttribute("y", String(y));
  chart.setAttribute("xmlns", SVG_NS);
  const body = chart.outerHTML;
  return `<svg xmlns="${SVG_NS}" width="${width}" height="${height + y}" ` +
    `viewBox="0 0 ${width} ${height + y}" font-family="system-ui, sans-serif" ` +
    `style="background:white;color:black">${parts.join("")}${body}</svg>`;
}
