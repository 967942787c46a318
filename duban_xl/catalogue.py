"""The findings catalogue: every finding duban reports, with its level, clause and wording.

A finding is made only from an entry here (``entry.at(sheet, cell, …)``), so
its code, 级别 and wording are the same wherever it is raised — the ledger
check, a returned sheet's receipt, an Excel button — and a test checks that
every entry is produced by some case and no code exists outside this table.
``clause`` cites the plan (云政办发〔2022〕24号) where a rule comes from it;
format rules cite the ledger contract (SPEC «The ledger workbook»).
Message and suggestion are ``str.format`` templates over the fields a call site passes.
"""
from __future__ import annotations

from .findings import ERROR, WARNING, Code

CONTRACT = "SPEC «台账»"  # a format rule of the workbook itself, not a clause of the plan

# ---- what the reader notices in a cell ----------------------------------------------------
BAD_DATE = Code("bad_date", ERROR, CONTRACT, "“{text}”不是有效日期。",
                "请填写日期，例如 2022-05-06（单元格设为日期格式）。")
DATE_AS_TEXT = Code("date_as_text", WARNING, CONTRACT, "单元格中是文字“{text}”而不是日期，已按 {day:%Y-%m-%d} 读取。",
                    "请改为日期格式，以免排序、公式和筛选出错。")
BAD_NUMBER = Code("bad_number", ERROR, CONTRACT, "“{text}”不是数字。", "请填写数字，例如 3 或 -5。")
BAD_PARAM = Code("bad_param", ERROR, CONTRACT, "参数“{name}”的值“{text}”不是有效数字。",
                 "请填写{kind}，默认值为 {default}。")
MISSING_PARAM = Code("missing_param", WARNING, CONTRACT, "未设置参数“{name}”，按默认值 {default} 计算。",
                     "如需其他取值，请在「参数」表添加一行：{name} | {default}。")

# ---- column rules (pandera schemas) -------------------------------------------------------
MISSING_VALUE = Code("missing_value", ERROR, CONTRACT, "“{column}”未填写。", "{advice}")
BAD_CHOICE = Code("bad_choice", ERROR, CONTRACT, "“{value}”不是“{column}”的可选值。", "{hint}请从下拉列表选择：{choices}。")
BAD_CHOICES = Code("bad_choices", ERROR, CONTRACT, "“{value}”不是“{column}”的可选值。",
                   "{hint}可填写：{choices}；多项用顿号“、”分隔。")
BAD_ITEM_NO = Code("bad_item_no", ERROR, CONTRACT, "交办单号“{value}”格式不对。", "应为“年份-序号”，序号至少三位，例如 2022-012。")
BAD_MONTH = Code("bad_month", ERROR, "二（四）", "反馈月份“{value}”格式不对。", "应为“年份-月份”，例如 2022-05。")

# ---- rules across columns and sheets (SPEC «Validation rules») -----------------------------
DUPLICATE_ITEM_NO = Code("duplicate_item_no", ERROR, "二（二）", "交办单号“{item}”与 {first} 重复。",
                         "每个督查事项一个交办单号，请改用新的序号。")
UNKNOWN_ITEM = Code("unknown_item", ERROR, "二（二）", "交办单号“{item}”在「台账」中不存在。",
                    "请核对交办单号，或先在「台账」登记该事项。")
UNKNOWN_UNIT = Code("unknown_unit", ERROR, "三（二）", "单位“{name}”不在「单位」表中。", "{advice}")
DUPLICATE_UNIT = Code("duplicate_unit", ERROR, CONTRACT, "单位“{name}”重复登记。", "请删除重复的一行。")
DEADLINE_BEFORE_ASSIGNED = Code("deadline_before_assigned", ERROR, "二（二）",
                                "完成时限 {deadline:%Y-%m-%d} 早于交办日期 {assigned:%Y-%m-%d}。", "请核对完成时限和交办日期。")
DONE_BEFORE_ASSIGNED = Code("done_before_assigned", ERROR, "二（二）",
                            "办结日期 {done:%Y-%m-%d} 早于交办日期 {assigned:%Y-%m-%d}。", "请核对办结日期。")
DONE_IN_FUTURE = Code("done_in_future", ERROR, "二（四）", "办结日期 {done:%Y-%m-%d} 晚于统计日 {as_of:%Y-%m-%d}。",
                      "尚未办结的事项请留空办结日期；如统计日有误，请用 --as-of 指定。")
MAJOR_NEEDS_LEADER = Code("major_needs_leader", ERROR, "二（一）", "重大督查事项的立项审定应为“县政府主要领导”。",
                          "二（一）：重大督查事项报县政府主要领导审定。请改为“县政府主要领导”，或核对“是否重大”。")
TEMPORARY_WITHOUT_PARENT = Code("temporary_without_parent", ERROR, "三（六）", "临时机构“{name}”未填写所属单位。",
                                "三（六）：临时性机构的加扣分计入所在单位，请填写其所属的县直部门或乡镇（街道）。")
PARENT_IS_TEMPORARY = Code("parent_is_temporary", ERROR, "三（六）", "所属单位“{parent}”本身也是临时机构。",
                           "请填写一个县直部门或乡镇（街道）。")
EXTENSION_LATE = Code("extension_late", WARNING, "二（五）",
                      "延期申请日期 {applied:%Y-%m-%d} 不早于当时的完成时限 {deadline:%Y-%m-%d}，不属于到期前申请，考评时不予认可。",
                      "二（五）：须在到期前书面申请。如确属到期前申请，请核对申请日期。")
EXTENSION_AFTER_DONE = Code("extension_after_done", WARNING, "二（五）",
                            "延期申请日期 {applied:%Y-%m-%d} 晚于事项 {item} 的办结日期 {done:%Y-%m-%d}，"
                            "事项已办结，延期没有意义，考评和通报均不予认可。",
                            "二（五）：延期须在到期前、办结前申请。请核对申请日期或「台账」办结日期；确属误录请删除这一行。")
EXTENSION_NO_APPROVER = Code("extension_no_approver", ERROR, "二（五）", "审批结果为“同意”，但未填写审批领导。",
                             "二（五）：延期须经县政府领导同意，请填写审批领导。")
EXTENSION_REPEATED = Code("extension_repeated", WARNING, "二（五）", "事项 {item} 已有一次同意的延期，这是第二次。",
                          "二（五）：原则上每一事项只能更改一次办结时限，请确认确有必要。")
PROGRESS_WITHOUT_MONTH = Code("progress_without_month", ERROR, "二（四）", "进展反馈未填写反馈月份。",
                              "请填写该次反馈对应的月份，例如 2022-05（月度通报据此判断是否按时反馈）。")
FEEDBACK_NOT_FROM_HOST = Code("feedback_not_from_host", WARNING, "二（四）", "“{reporter}”是协办单位，反馈报告应由主办单位报送。",
                              "二（四）：涉及多个承办单位的，由主办单位牵头起草和报送办理情况报告。")
FEEDBACK_NOT_OF_ITEM = Code("feedback_not_of_item", WARNING, "二（四）", "“{reporter}”不是事项 {item} 的承办单位。",
                            "请核对反馈单位或交办单号。")
CLAIMED_DONE_AFTER_REPORT = Code("claimed_done_after_report", WARNING, "二（四）",
                                 "申报办结日期 {claimed:%Y-%m-%d} 晚于反馈日期 {reported:%Y-%m-%d}。",
                                 "办结反馈应在办结之后报送，请核对申报办结日期。")
RECEIPT_NO_REPEATED = Code("receipt_no_repeated", WARNING, "SPEC «报送表»", "收件编号“{number}”有两行待核查的记录。",
                           "收件编号由收件时自动填写，同一编号只应有一行待核查记录，请删除多余的一行。")
EVENT_BEFORE_ITEM = Code("event_before_item", WARNING, "三（四）",
                         "事件日期 {day:%Y-%m-%d} 早于事项 {item} 的交办日期 {start:%Y-%m-%d}。", "请核对事件日期或交办单号。")
EVENT_WITHOUT_UNIT = Code("event_without_unit", ERROR, "三（二）", "加扣分事件既未填写单位，也未填写交办单号，无法计分。",
                          "请填写被加扣分的单位；或填写交办单号，对该事项的全部承办单位计分。")
EVENT_WITHOUT_POINTS = Code("event_without_points", ERROR, "三（五）", "“其他问题”须填写扣分分值。",
                            "三（五）：其他问题酌情扣分，请填写分值，例如 2。")
RULE_MISSING = Code("rule_missing", ERROR, "三", "「规则」表缺少规则代码 {code}，无法计分。",
                    "请从台账模板的「规则」表复制该行（启用填“否”可停用该规则）。")
RULE_UNKNOWN = Code("rule_unknown", ERROR, "三", "规则代码“{code}”不是本工具认识的规则。", "可用的规则代码：{known}。")
RULE_DUPLICATE = Code("rule_duplicate", ERROR, "三", "规则代码“{code}”重复。", "每个规则代码只保留一行。")

# ---- the cap on findings (cap.py): each sheet lists its first findings of a kind, then one line -----
CAPPED = "SPEC «校验»"  # SPEC «Validation rules»: what a finding is; the cap keeps the list one a clerk can read
MORE_ERRORS = Code("more_errors", ERROR, CAPPED, "还有 {n} 处同类问题（如{example}）{where}。",
                   "每类只列出前 {shown} 处并在台账中标红；其余多半同列、同因，请照样例成批改正（可用筛选查找），改后再次校验。")
MORE_WARNINGS = Code("more_warnings", WARNING, CAPPED, "还有 {n} 处同类问题（如{example}）{where}。",
                     "每类只列出前 {shown} 处并在台账中标红；其余请照样例一并核对，改后再次校验。")

# ---- a returned 报送表 (SPEC «Returned sheets», 二（四）): what its 回执 tells the unit ----------------
FORMS = "SPEC «报送表»"
HEADER_CHANGED = Code("header_changed", ERROR, FORMS, "表头的{label}“{got}”与本报送表的“{want}”不一致。",
                      "请不要修改表头；每个单位使用督查室发给本单位、本月的报送表填写。")
IDENTITY_DAMAGED = Code("identity_damaged", ERROR, FORMS, "报送表的表单信息已损坏，无法确认是哪一份报送表。",
                        "请使用督查室发来的原报送表重新填写后回传。")
IDENTITY_MISSING = Code("identity_missing", ERROR, FORMS,
                        "报送表缺少隐藏的「表单信息」，且按表头的单位和月份找不到督查室发出的报送表。",
                        "请使用督查室发来的原报送表填写（不要复制到新工作簿），然后回传。")
IDENTITY_STRIPPED = Code("identity_stripped", WARNING, FORMS,
                         "报送表缺少隐藏的「表单信息」，已按表头的单位和月份认定为报送表 {form_no}。",
                         "下次请直接在督查室发来的报送表上填写并保存，不要复制到新工作簿。")
ITEM_REPEATED = Code("item_repeated", ERROR, FORMS, "交办单号 {item} 出现了两次。", "每个事项只填写一行，请删除重复的一行。")
ITEM_NOT_OF_UNIT = Code("item_not_of_unit", ERROR, "二（四）", "事项 {item} 不是本单位的事项（主办单位：{owner}）。",
                        "只报送本报送表列出的本单位事项；该行请删除，其他单位的事项由其自行报送。")
ITEM_NOT_ON_FORM = Code("item_not_on_form", ERROR, FORMS, "交办单号“{item}”不是本报送表列出的事项{why}。",
                        "请不要增加行或修改交办单号；新交办的事项会在下月报送表中列出。")
ITEM_REMOVED = Code("item_removed", ERROR, FORMS, "报送表中的事项 {item} 被删除了。",
                    "请不要删除报送表中的行；本月不需报送的事项留空即可。")
LOCKED_CHANGED = Code("locked_changed", ERROR, FORMS, "灰色单元格“{column}”被改动：现为“{got}”，原为“{want}”。",
                      "灰色单元格不能修改，请改回“{want}”，或在督查室发来的原报送表上重新填写。")
LEDGER_CHANGED = Code("ledger_changed", WARNING, FORMS, "“{column}”与台账现有内容“{now}”不同（报送表发出后台账有修改）。",
                      "无需处理，以台账为准。")
MAC_MISMATCH = Code("mac_mismatch", ERROR, FORMS, "报送表的校验码与内容不符（表单信息或灰色单元格被改动过）。",
                    "请使用督查室发来的原报送表重新填写后回传。")
FORMULA_IN_FORM = Code("formula", ERROR, FORMS, "单元格是公式“{formula}”，不能作为报送内容（已按文字读取，未计算）。",
                       "请直接填写文字或日期，不要使用公式。")
COHOST_FILLED = Code("cohost_filled", ERROR, "二（四）", "事项 {item} 是本单位协办的事项，不在本表报送。",
                     "二（四）：涉及多个承办单位的，由主办单位牵头报送。请清空该行。")
MONTHLY_NOT_FILLED = Code("monthly_not_filled", WARNING, "二（四）", "每月反馈事项 {item} 本月未填写。",
                          "二（四）：每月反馈的事项每月都要报送进展，请补报。")
NOTHING_FILLED = Code("nothing_filled", ERROR, "二（四）", "报送表中没有填写任何事项。",
                      "请在白色单元格中填写本月各主办事项的办理情况后再回传。")
TEXT_TOO_LONG = Code("text_too_long", ERROR, FORMS, "“{column}”有 {length} 字，超过 {limit} 字。",
                     "请精简，详细情况写在书面反馈报告（.docx）中一并报送。")
CLAIMED_IN_FUTURE = Code("claimed_in_future", ERROR, "二（四）", "申报办结日期 {claimed:%Y-%m-%d} 晚于报送日期 {day:%Y-%m-%d}。",
                         "尚未办结的事项请选“进展反馈”，不填申报办结日期。")
CLAIMED_BEFORE_ASSIGNED = Code("claimed_before_assigned", ERROR, "二（二）",
                               "申报办结日期 {claimed:%Y-%m-%d} 早于交办日期 {assigned:%Y-%m-%d}。", "请核对办结日期。")
CLAIMED_ON_PROGRESS = Code("claimed_on_progress", WARNING, "二（四）", "进展反馈填写了申报办结日期。",
                           "事项已办结的，请把反馈类型改为“办结反馈”；未办结的，请清空申报办结日期。")
BAD_PHONE = Code("bad_phone", WARNING, FORMS, "联系电话“{phone}”看起来不是电话号码。", "请填写座机或手机号码，例如 0578-5123456。")
SENDER_NOT_UNIT = Code("sender_not_unit", WARNING, FORMS, "发件人 {sender} 不是「单位」表登记的{unit}邮箱 {known}。",
                       "请用单位登记的邮箱报送；如邮箱已变更，请告知督查室更新。")
SAME_FILE = Code("same_file", WARNING, FORMS, "该文件此前已收到（{day:%Y-%m-%d}，结果：{outcome}）。", "无需再次报送。")
OLDER_COPY = Code("older_copy", WARNING, FORMS, "督查室已于 {day:%Y-%m-%d %H:%M} 收到并登记了本报送表更新的一份，这份较早的未作改动。",
                  "如需更正，请在原报送表上修改后重新报送。")
UNUSABLE_FILE = Code("unusable_file", ERROR, FORMS, "未能登记：{reason}",
                     "请回传督查室发来的报送表（.xlsx），书面反馈报告用 Word 的 .docx 格式一并附上。")
REPORT_WITHOUT_FORM = Code("report_without_form", ERROR, "二（四）",
                           "反馈报告「{name}」找不到对应的报送表（标题中的交办单号：{item}）。",
                           "反馈报告须与填好的报送表一起报送；标题写明交办单号，如“2022年12号交办单”。")
REPORT_FORMAT = Code("report_format", WARNING, "三（三）", "反馈报告「{name}」不符合附件格式：{problem}。",
                     "三（三）：反馈材料不符合格式要求的每件扣1分；请按附件格式修改。")

CATALOGUE: dict[str, Code] = {entry.code: entry for entry in globals().values() if isinstance(entry, Code)}
