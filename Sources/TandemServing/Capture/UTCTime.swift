/// A moment broken into UTC calendar fields, for capture records' `inferenceTime` and the
/// `yyyy/mm/dd/hh` folders (computed here, without a formatter or the C library's time zone state).
struct UTCTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    init(secondsSinceEpoch time: Double) {
        let totalMilliseconds = Int64((time * 1000).rounded(.down))
        var days = totalMilliseconds / 86_400_000
        var rest = totalMilliseconds % 86_400_000
        if rest < 0 {
            rest += 86_400_000
            days -= 1
        }
        // Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day count from 1970-01-01.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        year = Int(yearOfEra + era * 400) + (month <= 2 ? 1 : 0)
        hour = Int(rest / 3_600_000)
        minute = Int(rest / 60_000 % 60)
        second = Int(rest / 1000 % 60)
        millisecond = Int(rest % 1000)
    }

    /// `2026-12-07T16:40:05Z`, the form of SageMaker's `inferenceTime`.
    var iso8601: String {
        "\(Self.pad(year, 4))-\(Self.pad(month))-\(Self.pad(day))T\(Self.pad(hour)):\(Self.pad(minute)):\(Self.pad(second))Z"
    }

    /// `2026/12/07/16`: the hour folder under `<endpoint>/<variant>/`.
    var hourFolder: String {
        "\(Self.pad(year, 4))/\(Self.pad(month))/\(Self.pad(day))/\(Self.pad(hour))"
    }

    /// `40-05-123`: minute, second and millisecond, the start of a capture file's name (as SageMaker's).
    var fileStamp: String {
        "\(Self.pad(minute))-\(Self.pad(second))-\(Self.pad(millisecond, 3))"
    }

    private static func pad(_ value: Int, _ width: Int = 2) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
