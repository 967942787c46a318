"""`duban`: the command line. It only parses arguments, calls ``api`` and prints.

Exit codes: 0 done / valid; 1 the ledger has errors; 2 the input cannot be
used (one clear Chinese + English line, never a traceback); 3 an internal
error (a bug: the traceback goes to a log file, not to the clerk's screen).
"""
from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
import traceback
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import click
from rich.console import Console
from rich.table import Table

from . import clock
from .contract import QUARTERS, Col, Out
from .errors import BadArgument, CalendarFallback, DubanError, LedgerInvalid

if TYPE_CHECKING:
    from types import ModuleType

    from .findings import Report

show = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
EXIT_OK, EXIT_INVALID, EXIT_UNUSABLE, EXIT_BUG = 0, 1, 2, 3


def api() -> ModuleType:
    """The api, imported when a command runs: ``duban --help`` / ``--version`` load no pandas."""
    from . import api as module

    return module


class DateType(click.ParamType):
    """YYYY-MM-DD (also 2022/5/6, 2022.5.6, 2022年5月6日)."""

    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        from .normalize import parse_date

        parsed = parse_date(value)
        if not parsed.ok:
            raise BadArgument(f"日期“{value}”看不懂，请按 YYYY-MM-DD 填写，例如 2022-12-31。",
                              f"bad date {value!r} for {param.opts[0] if param else 'date'}")
        return parsed.value.date()


DATE = DateType()
LEDGER = click.argument("ledger", type=click.Path(path_type=Path, readable=False))  # unreadable: the gate says so in Chinese
AS_OF = click.option("--as-of", type=DATE, default=None, help="统计日（默认今天）。Count as of this date (default today).")
TEMPLATES = click.option(
    "--templates", type=click.Path(path_type=Path, file_okay=False), default=None,
    help="本单位的公文模板文件夹（默认 duban.toml 的 [documents] templates，否则用自带模板）。"
         "Folder of the office's own Word templates.")
OUT = click.option("--out", type=click.Path(path_type=Path, file_okay=False), default=None,
                   help="输出目录（默认台账旁的“督查输出”）。Output folder (default: 督查输出 beside the ledger).")


SEND = click.option("--send", is_flag=True,
                    help="按「单位」表的电子邮箱发邮件给各单位（邮箱见台账旁 duban.toml）；同一天不重复发送。")
MAIL_CONFIG = click.option("--config", type=click.Path(path_type=Path, dir_okay=False), default=None,
                           help="邮箱配置文件（默认台账旁的 duban.toml）。Mail configuration.")


@contextmanager
def run_log(ledger: Path, command: str, wanted: bool = True) -> Iterator[list[str]]:
    """For unattended runs (--send, --mail): what happened and the exit code, in 督查输出/日志/ beside the ledger."""
    from .runlog import append

    lines: list[str] = []
    if not wanted:
        yield lines
        return
    try:
        yield lines
    except DubanError as exc:
        append(ledger, command, [*lines, f"无法处理：{exc}"], EXIT_UNUSABLE)
        raise
    except LedgerInvalid:
        append(ledger, command, [*lines, "台账有错误，未继续。"], EXIT_INVALID)
        raise
    append(ledger, command, lines, EXIT_OK)


@contextmanager
def progress() -> Iterator[callable]:
    """A spinner on stderr naming the current step (silent when not a terminal)."""
    with err.status("开始…") as status:
        yield lambda message: status.update(f"{message}…")


def write_mode(write: bool, in_place: bool) -> str | None:
    """--write alone writes a copy beside the ledger; --write --in-place writes the ledger itself."""
    if in_place and not write:
        raise BadArgument("--in-place 需与 --write 一起使用。", "--in-place needs --write")
    return ("in_place" if in_place else "copy") if write else None


def today(as_of: dt.date | None) -> dt.date:
    return as_of or clock.today()


def print_report(report: Report, limit: int = 200) -> None:
    """A table on a terminal; plain lines (one finding each, never wrapped) in a log or a pipe.

    Past ``limit`` only the «还有 N 处同类问题» lines (cap.py) are still shown: they say what else there is."""
    ordered = report.sorted()
    findings = ordered[:limit] + [f for f in ordered[limit:] if f.more]
    if findings and not show.is_terminal:
        for f in findings:
            item = f" [{f.item_no}]" if f.item_no else ""
            click.echo(f"{f.level} {f.where}{item} {f.message} 建议：{f.suggestion}")
    elif findings:
        table = Table(show_lines=False, header_style="bold")
        for name in ("级别", "位置", "交办单号", "问题", "建议"):
            table.add_column(name, overflow="fold")
        for f in findings:
            style = "red" if f.is_error else "yellow"
            table.add_row(f"[{style}]{f.level}[/]", f.where, f.item_no, f.message, f.suggestion)
        show.print(table)
        if len(ordered) > len(findings):
            show.print(f"……另有 {len(ordered) - len(findings)} 处未显示。完整列表：--json 或 --write。")
    show.print(report.summary())


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="duban_xl")
def cli() -> None:
    """duban — 县政府督查室督查台账工具（校验、考评、通报、公文）。

    \b
    例 Example:
      duban init 督查台账.xlsx --year 2022 --county 云和县
      duban validate 督查台账.xlsx --write
      duban score 督查台账.xlsx --as-of 2022-12-31 --json
    """


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--year", type=int, default=None, help="考评年度（默认今年）。")
@click.option("--county", default="云和县", show_default=True, help="县名。")
@click.option("--force", is_flag=True, help="覆盖已有文件。Overwrite an existing file.")
def init(path: Path, year: int | None, county: str, force: bool) -> None:
    """新建一本空白督查台账（含下拉、公式、说明）。Create a fresh ledger workbook.

    例：duban init 2023督查台账.xlsx --year 2023 --county 云和县
    """
    made = api().init_workbook(path, year or clock.today().year, county, force)
    show.print(f"已新建台账：{made}")


@cli.command(name="validate")
@LEDGER
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出全部问题。Print findings as JSON.")
@click.option("--write", is_flag=True, help="写入「校验结果」表并标红问题单元格（默认写到副本）。")
@click.option("--in-place", is_flag=True, help="与 --write 同用：直接写入台账本身（先自动备份）。")
def validate_cmd(ledger: Path, as_of, as_json: bool, write: bool, in_place: bool) -> None:
    """校验台账，逐个指出有问题的单元格。Validate a ledger, cell by cell.

    例：duban validate 督查台账.xlsx --as-of 2022-12-31 --write
    """
    mode = write_mode(write, in_place)
    with progress() as say:
        result = api().validate_workbook(ledger, today(as_of), write=mode, progress=say)
    if as_json:
        click.echo(json.dumps(result.report.as_json_list(), ensure_ascii=False, indent=2))
    else:
        print_report(result.report)
    if result.written:
        err.print(f"校验结果已写入：{result.written}")
    sys.exit(EXIT_OK if result.report.ok else EXIT_INVALID)


@cli.command(name="score")
@LEDGER
@AS_OF
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出得分、排名和明细。")
@click.option("--csv", "csv_dir", type=click.Path(path_type=Path, file_okay=False), help="把得分明细和排名另存为 CSV 到该目录。")
@click.option("--write", is_flag=True, help="写入「得分明细」「季度排名」表（默认写到副本）。")
@click.option("--in-place", is_flag=True, help="与 --write 同用：直接写入台账本身（先自动备份）。")
def score_cmd(ledger: Path, as_of, as_json: bool, csv_dir: Path | None, write: bool, in_place: bool) -> None:
    """按三、考评标准计算各单位得分和排名，每一分都有依据。Score every unit.

    例：duban score 督查台账.xlsx --as-of 2022-12-31 --json
    """
    from .score import score_json

    mode = write_mode(write, in_place)
    with progress() as say:
        scoring = api().score_workbook(ledger, today(as_of), write=mode, csv_dir=csv_dir, progress=say)
    if as_json:
        click.echo(json.dumps(score_json(scoring.result, scoring.ledger), ensure_ascii=False, indent=2))
    else:
        print_ranking(scoring.result.ranking)
    for path in [scoring.written, *scoring.csv_files]:
        if path:
            err.print(f"已写入：{path}")


RANKING_SHOWN = (Col.RANK, Col.UNIT, *QUARTERS, Col.TOTAL, Col.ELIGIBILITY)


def print_ranking(ranking) -> None:
    for group, rows in ranking.groupby(Col.UNIT_CATEGORY, sort=False):
        table = Table(title=f"{group} 得分排名", header_style="bold")
        for name in RANKING_SHOWN:
            table.add_column(name)
        for rec in rows.to_dict("records"):
            table.add_row(*(f"{rec[n]:g}" if isinstance(rec[n], float) else str(rec[n]) for n in RANKING_SHOWN))
        show.print(table)


@cli.command()
@LEDGER
@click.option("--month", required=True, help="通报月份 YYYY-MM。")
@click.option("--date", "date", type=DATE, default=None, help="通报日期（默认次月10日或之前的最后一个工作日）。")
@AS_OF
@OUT
@click.option("--dry-run", is_flag=True, help="只显示将要通报的内容，不写入台账、不生成文件。")
@TEMPLATES
def bulletin(ledger: Path, month: str, date, as_of, out: Path | None, dry_run: bool, templates: Path | None) -> None:
    """一月一通报：写「月度通报」表、通报记录，并生成 Word 通报。Monthly bulletin.

    例：duban bulletin 督查台账.xlsx --month 2022-06
    """
    with progress() as say:
        result = api().issue_bulletin(ledger, month, date, as_of, out, dry_run, progress=say, templates=templates)
    b = result.bulletin
    totals = "，".join(f"{k} {v:.0%}" if k == Out.ON_TIME_RATE else f"{k} {v}" for k, v in b.totals.items())
    show.print(f"{b.issue}（{b.date:%Y-%m-%d}）：{totals}")
    for title, frame in (("逾期未办结", b.overdue), ("进度滞后", b.lagging), ("未按时反馈", b.late_feedback)):
        show.print(f"{title}：{len(frame)} 项" + ("" if frame.empty else "：" + "、".join(frame[Col.ITEM_NO])))
    show.print(f"表扬：{len(b.praise)} 次")
    if dry_run:
        show.print(f"（试运行）将写入通报记录 {len(b.records)} 行；台账未改动。")
    else:
        err.print(f"已写入台账：{result.written}\n已生成：{result.document}")


@cli.command()
@LEDGER
@click.option("--quarter", required=True, help="季度 YYYYQn，例如 2022Q2。")
@click.option("--date", "date", type=DATE, default=None, help="通报的成文日期（默认季度后首月10日或之前的最后一个工作日）。")
@AS_OF
@OUT
@TEMPLATES
def rank(ledger: Path, quarter: str, date, as_of, out: Path | None, templates: Path | None) -> None:
    """季度排名通报（Word）。Quarterly ranking bulletin.

    例：duban rank 督查台账.xlsx --quarter 2022Q2
    """
    with progress() as say:
        ranking, document = api().rank_quarter(ledger, quarter, as_of, out, date, progress=say, templates=templates)
    print_ranking(ranking)
    err.print(f"已生成：{document}")


@cli.command()
@LEDGER
@click.argument("items", nargs=-1)
@click.option("--since", type=DATE, default=None, help="只生成该日期及以后交办的事项。")
@AS_OF
@OUT
@TEMPLATES
def slip(ledger: Path, items: tuple[str, ...], since, as_of, out: Path | None, templates: Path | None) -> None:
    """生成督查交办单（Word），每个事项一份。Assignment slips.

    例：duban slip 督查台账.xlsx 2022-012 2022-013   或   duban slip 督查台账.xlsx --since 2022-06-01
    """
    with progress() as say:
        paths = api().make_slips(ledger, items, since, as_of, out, progress=say, templates=templates)
    for path in paths:
        show.print(f"已生成：{path}")
    if not paths:
        show.print("没有符合条件的事项。")


@cli.command()
@LEDGER
@AS_OF
@OUT
@TEMPLATES
@click.option("--dry-run", is_flag=True, help="只生成清单和催办单，不登记「催办记录」。Do not record in the ledger.")
@SEND
@MAIL_CONFIG
def remind(ledger: Path, as_of, out: Path | None, templates: Path | None, dry_run: bool, send: bool,
           config: Path | None) -> None:
    """催办：临期、逾期、本月反馈未报的事项，清单 + 每个单位一份催办单，并登记「催办记录」。Reminders.

    例：duban remind 督查台账.xlsx --as-of 2022-07-03 [--send]
    """
    with progress() as say, run_log(ledger, "remind", send) as log:
        result = api().make_reminders(ledger, today(as_of), out, progress=say, templates=templates, dry_run=dry_run,
                                      send=send, mail_config=config)
        if result.sending:
            log.extend(result.sending.lines("催办单"))
    if result.rows.empty:
        show.print("没有需要催办的事项。")
        return
    shown = (Col.UNIT, Col.ITEM_NO, Out.REMINDER_KIND, Col.EFFECTIVE_DEADLINE, Col.NOTE)
    table = Table(header_style="bold")
    for name in shown:
        table.add_column(name, overflow="fold")
    for rec in result.rows.to_dict("records"):
        table.add_row(*(f"{rec[n]:%Y-%m-%d}" if hasattr(rec[n], "strftime") else str(rec[n]) for n in shown))
    show.print(table)
    for path in [result.workbook, *result.documents]:
        err.print(f"已生成：{path}")
    if result.recorded:
        err.print(f"已登记「催办记录」：{result.recorded}")
    elif result.unrecorded:
        err.print(f"[yellow]{result.unrecorded}[/]")
    if result.sending:
        for line in result.sending.lines("催办单"):
            show.print(line)


@cli.command(name="form-report")
@LEDGER
@click.argument("item")
@click.option("--unit", default=None, help="报送单位（默认该事项的主办单位）。")
@AS_OF
@OUT
@TEMPLATES
def form_report(ledger: Path, item: str, unit: str | None, as_of, out: Path | None, templates: Path | None) -> None:
    """按附件格式预填一份交办事项反馈报告（Word）。Pre-filled feedback report.

    例：duban form-report 督查台账.xlsx 2022-012
    """
    with progress() as say:
        path = api().make_feedback_form(ledger, item, unit, as_of, out, progress=say, templates=templates)
    show.print(f"已生成：{path}")


@cli.command()
@LEDGER
@click.option("--month", required=True, help="反馈月份 YYYY-MM（报送该月的办理情况）。")
@click.option("--unit", "units", multiple=True, help="只给这些单位生成（可重复）；默认每个有在办主办事项的单位。")
@AS_OF
@OUT
@SEND
@MAIL_CONFIG
def forms(ledger: Path, month: str, units: tuple[str, ...], as_of, out: Path | None, send: bool,
          config: Path | None) -> None:
    """给每个单位生成本月报送表（二（四）），回收后用 duban intake 登记。Monthly report forms.

    例：duban forms 督查台账.xlsx --month 2022-07 --as-of 2022-06-25 [--send]
    """
    with progress() as say, run_log(ledger, "forms", send) as log:
        result = api().make_forms(ledger, month, units, today(as_of), out, progress=say)
        sending = api().mail_forms(ledger, result, config, progress=say) if send else None
        if sending:
            log.extend(sending.lines("报送表"))
    for unit, path, rows in result.files:
        show.print(f"{unit}：{rows} 个事项 → {path}")
    for unit in result.skipped:
        show.print(f"{unit}：截至 {result.as_of:%Y-%m-%d} 没有在办的主办事项，未生成报送表。")
    show.print(f"共生成报送表 {len(result.files)} 份（{month}）。")
    for line in sending.lines("报送表") if sending else []:
        show.print(line)


@cli.command()
@LEDGER
@click.option("--dir", "folder", type=click.Path(path_type=Path), default=None,
              help="收到的报送表所在文件夹；处理后的文件移到其中的“已处理”，回执写到“回执”。")
@click.option("--mail", is_flag=True,
              help="从邮箱收件（台账旁 duban.toml 的 [mail]）：回执回复发件人，邮件移到已处理文件夹。")
@MAIL_CONFIG
@click.option("--watch", is_flag=True, help="与 --mail 同用：一直运行，新邮件一到就收（IMAP IDLE）。")
@AS_OF
@click.option("--dry-run", is_flag=True, help="只检查并显示结果：不写台账、不移动文件、不写回执、不发信、不记录。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出每个文件的结果。")
def intake(ledger: Path, folder: Path | None, mail: bool, config: Path | None, watch: bool, as_of, dry_run: bool,
           as_json: bool) -> None:
    """登记各单位报回的报送表（二（四））：合格的并入「反馈记录」，每个文件一份回执。Take in returned forms.

    例：duban intake 督查台账.xlsx --dir 收件/      或    duban intake 督查台账.xlsx --mail
    """
    if bool(folder) == bool(mail):
        raise BadArgument("请在 --dir 文件夹 和 --mail 中选一个。", "intake needs exactly one of --dir, --mail")
    if (config or watch) and not mail:
        raise BadArgument("--config 和 --watch 需与 --mail 一起使用。", "--config/--watch need --mail")
    if watch:
        from .mail.intake import watch as watch_mailbox
        from .runlog import append

        def report(lines: list[str]) -> None:
            for line in lines:
                show.print(line)
            append(ledger, "intake", lines, EXIT_OK)

        watch_mailbox(ledger, config, report)
        return
    with progress() as say, run_log(ledger, "intake", not dry_run) as log:
        if mail:
            result = api().intake_mail(ledger, today(as_of), config, dry_run=dry_run, progress=say)
            run, lines = result.intake, result.lines()
        else:
            result = run = api().intake_folder(ledger, folder, today(as_of), dry_run=dry_run, progress=say)
            tail = "（试运行：台账、文件均未改动）" if dry_run else ""
            lines = [f"共 {len(run.files)} 个文件：合并 {run.merged_rows} 行，退回 {run.refused} 个。{tail}"]
        log.extend(lines)
        if mail and result.mail.problems:  # replies the server refused: kept for the next run, and exit 2
            from .mail.run import unreachable

            print_intake(run, [] if as_json else lines)
            raise unreachable(result.mail.problems)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    print_intake(run, lines)


def print_intake(run, lines: list[str]) -> None:
    """Each file's outcome and problems, the ledger's own errors (never blocking), then the summary."""
    for parcel, result in run.files if run else []:
        show.print(f"{result.outcome}：{result.name}（{result.unit or '单位未能识别'}）"
                   + (f"，合并 {result.merged_rows} 行" if result.outcome == "已合并" else ""))
        for f in result.findings:
            show.print(f"  {f.level} {f.where} {f.message} 建议：{f.suggestion}")
    findings = [f for f in run.ledger_findings if not f.more][:10] if run else []
    for f in findings:
        show.print(f"台账自身的错误（请督查室修改，不影响收件）：{f.where} {f.message}")
    rest = sum(f.stands_for for f in run.ledger_findings) - len(findings) if run else 0
    if rest:
        show.print(f"……台账另有 {rest} 处错误，运行 duban validate 查看。")
    for line in lines:
        show.print(line)


@cli.command(name="check-report")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, readable=False))
@click.option("--county", default=None, help="标题中的县名（默认取台账参数，或云和县）。")
@click.option("--ledger", type=click.Path(path_type=Path), default=None, help="台账：核对标题中的交办单号是否存在。")
@click.option("--record", is_flag=True,
              help="把不符合格式的结论写入台账「反馈记录」的材料问题（需 --ledger）。Record verdicts in the ledger.")
def check_report_cmd(files: tuple[Path, ...], county: str, ledger: Path | None, record: bool) -> None:
    """检查报回的反馈报告是否符合附件格式（三（三））。Check returned reports.

    例：duban check-report 县发改局反馈报告.docx
        duban check-report 县发改局反馈报告.docx --ledger 督查台账.xlsx --record
    """
    if record and not ledger:
        raise BadArgument("--record 需与 --ledger 一起使用。", "--record needs --ledger")
    results = api().check_reports(files, county, ledger)
    for check in results:
        if check.ok:
            show.print(f"[green]符合格式[/]：{check.path.name}")
        else:
            show.print(f"[red]不符合格式[/]：{check.path.name}")
            for problem in check.problems:
                show.print(f"  - {problem}")
    if record:
        for done in api().record_report_checks(ledger, results):
            if done.cell:
                show.print(f"已记入材料问题：{done.cell} = {done.defects}（{done.check.path.name}）")
            elif done.problem:
                show.print(f"[yellow]需人工处理[/]：{done.check.path.name}：{done.problem}")
    sys.exit(EXIT_OK if all(c.ok for c in results) else EXIT_INVALID)


@cli.command()
@LEDGER
@click.option("--month", required=True, help="结账月份 YYYY-MM。")
@click.option("--mail", is_flag=True, help="先从邮箱收取报送表（按 duban.toml 配置）。Take in returned sheets by mail first.")
@click.option("--date", type=DATE, default=None, help="通报日期（默认次月10日前最后一个工作日）。")
@OUT
def close(ledger: Path, month: str, mail: bool, date, out: Path | None) -> None:
    """本月结账：收件、校验、月度通报、计分、季度排名（季末）、归档，一次完成。Close the month.

    台账有错误时什么也不写；同一个月再结一次，台账不再改动。
    例：duban close 督查台账.xlsx --month 2022-06
    """
    with progress() as say:
        summary = api().close_month(ledger, month, mail=mail, date=date, out=out, progress=say)
    for line in summary.lines():
        show.print(line)
    for path in summary.files:
        err.print(f"已生成：{path}")
    sys.exit(EXIT_OK if summary.ok else EXIT_INVALID)


@cli.command()
@LEDGER
@click.option("--quarter", required=True, help="季度 YYYYQn，例如 2022Q2。")
@click.option("--unit", "units", multiple=True, help="只给这个单位（可重复）；默认每个参加排名的单位一份。")
@OUT
@TEMPLATES
@SEND
@MAIL_CONFIG
def statement(ledger: Path, quarter: str, units: tuple[str, ...], out: Path | None, templates: Path | None,
              send: bool, config: Path | None) -> None:
    """得分告知单：每个单位的得分、组内排名、全部加扣分依据和异议办法（Word + xlsx）。Score statements.

    例：duban statement 督查台账.xlsx --quarter 2022Q2 --unit 县财政局 [--send]
    """
    with progress() as say, run_log(ledger, "statement", send) as log:
        result = api().make_statements(ledger, quarter, units, out, progress=say, templates=templates)
        sending = api().mail_statements(ledger, result, config, progress=say) if send else None
        if sending:
            log.extend(sending.lines("得分告知单"))
    for s in result.statements:
        show.print(f"{s.unit}：{s.total:g} 分，{s.category}第 {s.rank} 名，{len(s.points)} 条加扣分")
    for path in result.files:
        err.print(f"已生成：{path}")
    for line in sending.lines("得分告知单") if sending else []:
        show.print(line)


@cli.command(name="special-report")
@LEDGER
@click.argument("item")
@AS_OF
@OUT
@TEMPLATES
def special_report(ledger: Path, item: str, as_of, out: Path | None, templates: Path | None) -> None:
    """督查专报：一个事项的基本情况、时限变更、反馈核查、催办和存在问题（二（六））。Special report.

    例：duban special-report 督查台账.xlsx 2022-026 --as-of 2022-07-10
    """
    with progress() as say:
        path = api().make_special_report(ledger, item, today(as_of), out, progress=say, templates=templates)
    show.print(f"已生成：{path}")


@cli.command()
@LEDGER
@click.option("--year", type=int, required=True, help="考评年度，例如 2022。")
@OUT
@click.option("--dry-run", is_flag=True, help="只生成 xlsx，不写入台账。Do not write the ledger.")
def annual(ledger: Path, year: int, out: Path | None, dry_run: bool) -> None:
    """年度考核结果：各单位督查得分、组内排名、评优资格及依据（三）。Annual result.

    例：duban annual 督查台账.xlsx --year 2022
    """
    with progress() as say:
        result = api().annual_results(ledger, year, out, dry_run=dry_run, progress=say)
    table = Table(header_style="bold")
    shown = (Col.UNIT, Col.UNIT_CATEGORY, Col.SUPERVISION_SCORE, Col.GROUP_RANK, Col.ELIGIBILITY)
    for name in shown:
        table.add_column(name, overflow="fold")
    for rec in result.table.to_dict("records"):
        table.add_row(*(f"{rec[n]:g}" if isinstance(rec[n], float) else str(rec[n]) for n in shown))
    show.print(table)
    err.print(f"已生成：{result.workbook}")
    if result.written:
        err.print(f"已写入台账「年度考核结果」：{result.written}")


@cli.command()
@click.argument("ledger", required=False, type=click.Path(path_type=Path))
@click.option("--month", default=None, help="归档月份 YYYY-MM。")
@click.option("--verify", "verify", type=click.Path(path_type=Path), default=None, help="核对一个归档包是否完整。")
@OUT
def archive(ledger: Path | None, month: str | None, verify: Path | None, out: Path | None) -> None:
    """归档：当月台账快照和公文打包，附清单和校验值。Archive a month.

    例：duban archive 督查台账.xlsx --month 2022-06    或    duban archive --verify 督查归档_2022年6月.zip
    """
    if verify:
        problems = api().verify_archive(verify)
        for problem in problems:
            show.print(f"[red]问题[/]：{problem}")
        show.print("归档包完整。" if not problems else f"归档包有 {len(problems)} 处问题。")
        sys.exit(EXIT_OK if not problems else EXIT_INVALID)
    if not ledger or not month:
        raise BadArgument("请给出台账文件和 --month，例如：duban archive 督查台账.xlsx --month 2022-06",
                          "archive needs LEDGER and --month (or --verify ZIP)")
    with progress() as say:
        path = api().archive_month(ledger, month, out, progress=say)
    show.print(f"已归档：{path}")


@cli.command(name="xl-setup")
@LEDGER
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="按钮工作簿（默认台账旁同名 .xlsm）。The macro-enabled copy (default: <ledger>.xlsm).")
@click.option("--interpreter", default=None,
              help="按钮使用的 Python（默认本机运行 duban 的 pythonw.exe）。Interpreter the buttons run (INTERPRETER_WIN).")
def xl_setup(ledger: Path, out: Path | None, interpreter: str | None) -> None:
    """在台账上加「督查」按钮栏：另存为启用宏的 .xlsm（原 .xlsx 保留）。Buttons in the workbook.

    例：duban xl-setup 督查台账.xlsx
    """
    made = api().setup_buttons(ledger, out, interpreter)
    show.print(f"已生成按钮工作簿：{made.workbook}（按钮：{'、'.join(made.buttons)}）")
    show.print(f"按钮模块：{made.launcher}（请与工作簿放在同一文件夹）")
    if made.interpreter:
        show.print(f"按钮使用的 Python：{made.interpreter}")
    else:
        show.print("未指定按钮使用的 Python：将使用 xlwings 的设置（默认 PATH 上的 python）。可用 --interpreter 指定。")


@cli.command()
@click.option("--out", "folder", type=click.Path(path_type=Path, file_okay=False), default=Path("out/demo"),
              show_default=True, help="演示输出目录。")
def demo(folder: Path) -> None:
    """在自带的示例台账上走完一个月：校验→考评→通报→排名→交办单→催办→归档。Run a month on the sample.

    例：duban demo --out out/demo
    """
    from .demo import run_demo

    with progress() as say:
        summary = run_demo(folder, progress=say)
    for line in summary:
        show.print(line)


def main(argv: list[str] | None = None) -> int:
    """Entry point: turns every failure into a clear line and an exit code.

    A date computed without holiday data (a year the calendar package does not
    know yet) is said once at the end, so the clerk checks it before sending.
    """
    said: list[str] = []
    show_other = warnings.showwarning

    def collect(message, category, *args, **kwargs):
        if issubclass(category, CalendarFallback):
            said.append(str(message))
        else:
            show_other(message, category, *args, **kwargs)

    with warnings.catch_warnings():
        warnings.simplefilter("always", CalendarFallback)
        warnings.showwarning = collect
        try:
            return _run(argv)
        finally:
            for line in dict.fromkeys(said):
                err.print(f"[yellow]请注意[/]：{line}")


def _run(argv: list[str] | None) -> int:
    """Every failure becomes a clear line (JSON under --json) and an exit code."""
    args = sys.argv[1:] if argv is None else list(argv)
    as_json = "--json" in args
    try:
        cli.main(args=args, prog_name="duban", standalone_mode=False)
        return EXIT_OK
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.exceptions.Abort:
        err.print("已取消。(aborted)")
        return EXIT_UNUSABLE
    except click.UsageError as exc:
        usage = BadArgument(f"命令用法有误：{exc.format_message()}（运行 duban --help 查看用法）",
                            "wrong command usage")
        if as_json:
            print_error_json(usage)
        else:
            err.print(f"[red]命令用法有误[/]：{exc.format_message()}  （运行 duban --help 查看用法）")
        return EXIT_UNUSABLE
    except LedgerInvalid as exc:
        if as_json:
            print_error_json(exc, findings=exc.report.as_json_list())
        else:
            print_report(exc.report)
        err.print("[red]台账有错误，未继续计算。请先按校验结果修改台账。[/] (the ledger has errors)")
        return EXIT_INVALID
    except DubanError as exc:
        if as_json:
            print_error_json(exc)
        else:
            err.print(f"[red]无法处理[/]：{exc}")
        return EXIT_UNUSABLE
    except Exception:  # a bug: keep the traceback for the maintainer, not the clerk
        log = Path(tempfile.gettempdir()) / f"duban_error_{dt.datetime.now():%Y%m%d-%H%M%S}.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        err.print(f"[red]程序内部错误[/]，已记录到 {log}，请把该文件发给维护人员。(internal error, see log)")
        return EXIT_BUG


def print_error_json(error: DubanError, **more: object) -> None:
    """--json: a failure is JSON on stdout too, so a script reads one format: {"error": {...}}."""
    body = {"error": {"code": error.code, "message": error.message, "english": error.english}, **more}
    click.echo(json.dumps(body, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
