using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.ML.Data;
using static Orchestrator.ML.Tests.Data.IngestTestSupport;

namespace Orchestrator.ML.Tests.Data;

public sealed class DatasetIngestorTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public async Task Digest_is_the_sha256_of_the_bytes_whatever_the_read_buffer(int bufferBytes)
    {
        using var csv = TempCsv.Sample("dags/data/taxi-fare/taxi-fare-train.csv", 2001);
        var result = await Ingest(csv, new IngestOptions { ReadBufferBytes = bufferBytes });

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(csv.Bytes)), result.Digest);
        Assert.Equal(csv.Bytes.Length, result.SizeBytes);
        Assert.Equal(2000, result.Rows);
    }

    [Fact]
    public async Task Digest_covers_a_byte_order_mark_and_bytes_after_the_last_row()
    {
        var body = Encoding.UTF8.GetBytes("a,b\n1,2\n\n\n");
        using var csv = TempCsv.Raw([0xEF, 0xBB, 0xBF, .. body]);
        var result = await Ingest(csv);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(csv.Bytes)), result.Digest);
        Assert.Equal("a", result.Schema.Columns[0].Name);
        Assert.Equal(1, result.Rows);
    }

    [Fact]
    public async Task Same_bytes_give_the_same_digest_and_one_changed_byte_another()
    {
        using var first = TempCsv.Text("x\n1\n");
        using var same = TempCsv.Text("x\n1\n", "other-name.csv");
        using var changed = TempCsv.Text("x\n2\n");

        var digest = (await Ingest(first)).Digest;
        Assert.Equal(digest, (await Ingest(same)).Digest);
        Assert.NotEqual(digest, (await Ingest(changed)).Digest);
    }

    [Fact]
    public async Task Taxi_sample_schema_and_profile_match_a_naive_computation()
    {
        using var csv = TempCsv.Sample("dags/data/taxi-fare/taxi-fare-train.csv", 2001);
        var result = await Ingest(csv);

        Assert.Equal(
            ["vendor_id:Categorical", "rate_code:Numeric", "passenger_count:Numeric", "trip_time_in_secs:Numeric", "trip_distance:Numeric", "payment_type:Categorical", "fare_amount:Numeric"],
            result.Schema.Columns.Select(column => $"{column.Name}:{column.Kind}"));

        var lines = File.ReadLines(csv.Path).Skip(1).Select(line => line.Split(',')).ToArray();
        var fares = lines.Select(fields => double.Parse(fields[6], CultureInfo.InvariantCulture)).ToArray();
        var fare = result.Profile.Find("fare_amount")!;
        Assert.Equal(2000, fare.Count);
        Assert.Equal(0, fare.Missing);
        Assert.Equal(fares.Min(), fare.Numeric!.Min);
        Assert.Equal(fares.Max(), fare.Numeric.Max);
        Assert.Equal(fares.Average(), fare.Numeric.Mean, 9);
        Assert.Equal(NaiveStd(fares), fare.Numeric.Std, 9);
        // Fares take fewer distinct values than the exact limit: quantiles and histogram are exact.
        Assert.True(fare.Numeric.Exact);
        Assert.Equal(fares.Distinct().Count(), fare.Numeric.Distinct);
        var sorted = fares.Order().ToArray();
        Assert.Equal(Quantiles.Levels.Select(q => NaiveQuantile(sorted, q)), fare.Numeric.Quantiles.Values());
        Assert.Equal(NaiveHistogram(fares, 20), fare.Numeric.Histogram.Counts);

        var payments = lines.Select(fields => fields[5]).ToArray();
        var payment = result.Profile.Find("payment_type")!.Categorical!;
        var expected = payments.GroupBy(value => value).OrderByDescending(group => group.Count()).ThenBy(group => group.Key, StringComparer.Ordinal)
            .Select(group => new ValueFrequency(group.Key, group.Count()));
        Assert.Equal(expected, payment.Top);
        Assert.Equal(payments.Distinct().Count(), payment.Distinct);
        Assert.True(payment.IsComplete);
    }

    [Fact]
    public async Task High_cardinality_numbers_are_sketched_within_the_error_bound()
    {
        var values = TDigestTests.Generate("exponential", 20_000);
        using var csv = TempCsv.Text("v\n" + string.Join('\n', values.Select(value => value.ToString("R", CultureInfo.InvariantCulture))) + "\n");
        var profile = (await Ingest(csv)).Profile.Find("v")!.Numeric!;

        Assert.False(profile.Exact);
        Assert.True(profile.DistinctIsLowerBound);
        Assert.Equal(values.Min(), profile.Min);
        Assert.Equal(values.Max(), profile.Max);
        Assert.Equal(values.Average(), profile.Mean, 9);
        Assert.Equal(NaiveStd(values), profile.Std, 9);
        var sorted = values.Order().ToArray();
        foreach (var (q, estimate) in Quantiles.Levels.Zip(profile.Quantiles.Values()))
        {
            var index = Array.BinarySearch(sorted, estimate);
            var rank = index >= 0 ? index : ~index;
            Assert.InRange(rank, (q - 0.01) * sorted.Length, (q + 0.01) * sorted.Length);
        }

        var naive = NaiveHistogram(values, 20);
        Assert.Equal(values.Length, profile.Histogram.Counts.Sum());
        foreach (var (sketched, exact) in profile.Histogram.Counts.Zip(naive))
        {
            Assert.InRange(sketched, exact - (0.02 * values.Length), exact + (0.02 * values.Length));
        }
    }

    [Fact]
    public async Task Values_counted_exactly_keep_their_weight_when_the_sketch_takes_over()
    {
        // 10,000 ones, then 10,000 distinct values in [100, 200): the switch to the t-digest happens after the ones.
        var values = Enumerable.Repeat(1.0, 10_000).Concat(Enumerable.Range(0, 10_000).Select(i => 100 + (i / 100.0))).ToArray();
        using var csv = TempCsv.Text("v\n" + string.Join('\n', values.Select(value => value.ToString("R", CultureInfo.InvariantCulture))) + "\n");
        var profile = (await Ingest(csv, new IngestOptions { ExactNumericLimit = 100 })).Profile.Columns[0].Numeric!;

        Assert.False(profile.Exact);
        Assert.Equal(1, profile.Quantiles.P25);
        Assert.InRange(profile.Quantiles.P75, 140, 160);
        // A centroid straddling the gap may hold up to about π/compression of the values (1.6% here).
        Assert.InRange(profile.Histogram.Counts[0], 9_600, 10_000);
    }

    [Fact]
    public async Task Kinds_are_inferred_and_missing_values_excepted()
    {
        var text = """
            num,text,mixed,allmissing,nastrings,int
            1.5,a,1,,NA,1
            -2e3,b,x,,null,2
            ,c,3,,4,3
            NaN,,2.5,NA,,4

            """;
        using var csv = TempCsv.Text(text);
        var profile = (await Ingest(csv)).Profile;

        Assert.Equal(
            ["Numeric", "Categorical", "Categorical", "Numeric", "Numeric", "Numeric"],
            profile.Columns.Select(column => column.Kind.ToString()));
        Assert.Equal((2, 2), (profile.Columns[0].Count, profile.Columns[0].Missing));
        Assert.Equal((3, 1), (profile.Columns[1].Count, profile.Columns[1].Missing));
        Assert.Equal((0, 4), (profile.Columns[3].Count, profile.Columns[3].Missing));
        Assert.Null(profile.Columns[3].Numeric);
        Assert.Equal((1, 3), (profile.Columns[4].Count, profile.Columns[4].Missing));
        // The numbers of a column that turned categorical keep their own text.
        Assert.Equal(["1", "2.5", "3", "x"], profile.Columns[2].Categorical!.Top.Select(value => value.Value).Order(StringComparer.Ordinal));
        Assert.Equal(0.5, profile.Columns[0].MissingShare);
    }

    [Fact]
    public async Task Missing_tokens_can_be_replaced()
    {
        using var csv = TempCsv.Text("code\nNA\nEU\n\n?\n");
        var profile = (await Ingest(csv, new IngestOptions { MissingTokens = ["?"] })).Profile.Columns[0];

        Assert.Equal(ColumnKind.Categorical, profile.Kind);
        Assert.Equal((2, 1), (profile.Count, profile.Missing));
    }

    [Fact]
    public async Task Declared_kinds_override_inference()
    {
        using var csv = TempCsv.Text("zip,score,other\n01234,1,a\n98765,2,b\n");
        var options = new IngestOptions
        {
            Schema = new DatasetSchema([new DatasetColumn("score", ColumnKind.Numeric)]),
            Categorical = ["zip"],
        };
        var result = await Ingest(csv, options);

        Assert.Equal([ColumnKind.Categorical, ColumnKind.Numeric, ColumnKind.Categorical], result.Schema.Columns.Select(column => column.Kind));
        Assert.Equal(["01234", "98765"], result.Profile.Columns[0].Categorical!.Top.Select(value => value.Value));
    }

    [Fact]
    public async Task A_declared_numeric_column_holding_text_fails_naming_line_column_and_value()
    {
        var longText = new string('z', 100);
        var options = new IngestOptions { Schema = new DatasetSchema([new DatasetColumn("b", ColumnKind.Numeric)]) };
        var error = await IngestFails($"a,b\n1,2\n\"multi\nline\",3\n4,{longText}\n", options);

        Assert.Equal(5, error.Line);
        Assert.Equal("b", error.Column);
        Assert.Contains("line 5, column 'b'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"\"{new string('z', 40)}…\"", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('z', 41), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Categorical_frequencies_are_bounded_and_flagged_when_approximate()
    {
        var rows = Enumerable.Range(0, 1000).Select(i => i % 2 == 0 ? "hot" : $"v{i}");
        using var csv = TempCsv.Text("c\n" + string.Join('\n', rows) + "\n");
        var profile = (await Ingest(csv, new IngestOptions { DistinctLimit = 50, TopValues = 3 })).Profile.Columns[0].Categorical!;

        Assert.True(profile.DistinctIsLowerBound);
        Assert.True(profile.CountsAreApproximate);
        Assert.Equal(51, profile.Distinct);
        Assert.Equal("hot", profile.Top[0].Value);
        Assert.InRange(profile.Top[0].Count, 500 - (1000 / 51), 500);
        Assert.InRange(profile.Top.Count, 1, 3);
        Assert.Equal(1000, profile.Top.Sum(value => value.Count) + profile.OtherCount);
    }

    [Fact]
    public async Task Categorical_top_values_and_other_count_are_exact_within_the_limit()
    {
        using var csv = TempCsv.Text("c\nb\na\nb\nc\nd\nb\na\n");
        var profile = (await Ingest(csv, new IngestOptions { TopValues = 2 })).Profile.Columns[0].Categorical!;

        Assert.Equal([new ValueFrequency("b", 3), new ValueFrequency("a", 2)], profile.Top);
        Assert.Equal(2, profile.OtherCount);
        Assert.Equal(4, profile.Distinct);
        Assert.False(profile.DistinctIsLowerBound);
        Assert.False(profile.IsComplete);
    }

    [Fact]
    public async Task A_column_turning_categorical_after_many_numbers_is_flagged_approximate()
    {
        var rows = Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)).Append("text");
        using var csv = TempCsv.Text("c\n" + string.Join('\n', rows) + "\n");
        var column = (await Ingest(csv, new IngestOptions { ExactNumericLimit = 10 })).Profile.Columns[0];

        Assert.Equal(ColumnKind.Categorical, column.Kind);
        Assert.Equal(101, column.Count);
        Assert.True(column.Categorical!.CountsAreApproximate);
        Assert.True(column.Categorical.DistinctIsLowerBound);
        Assert.True(column.Categorical.Distinct >= 11);
    }

    [Fact]
    public async Task Quoted_separators_quotes_and_newlines_are_values_and_lines_stay_right()
    {
        var text = "name,n\n\"Smith, J\",1\n\"say \"\"hi\"\"\",2\n\"two\nlines\",3\n  \"padded\"  , 4 \nlast\n";
        var error = await IngestFails(text);
        // The ragged last row is on line 7 (the quoted field spans lines 4-5).
        Assert.Equal(7, error.Line);
        Assert.Contains("expected 2 fields as in the header, got 1", error.Message, StringComparison.Ordinal);
        Assert.Equal("n", error.Column);

        using var csv = TempCsv.Text(text.Replace("last\n", "last,5\n", StringComparison.Ordinal));
        var profile = (await Ingest(csv)).Profile;
        Assert.Equal(["Smith, J", "last", "padded", "say \"hi\"", "two\nlines"], profile.Columns[0].Categorical!.Top.Select(value => value.Value).Order(StringComparer.Ordinal));
        Assert.Equal(ColumnKind.Numeric, profile.Columns[1].Kind);
        Assert.Equal(15, profile.Columns[1].Numeric!.Mean * 5, 9);
    }

    [Theory]
    [InlineData(';')]
    [InlineData('\t')]
    [InlineData('|')]
    public async Task Other_separators_read_the_same_dataset(char separator)
    {
        var text = "city{0}temp{0}note\n\"A{0}B\"{0}1.5{0}x\nC{0}2{0}y\n".Replace("{0}", separator.ToString(), StringComparison.Ordinal);
        using var csv = TempCsv.Text(text);
        var result = await Ingest(csv, new IngestOptions { Format = new CsvFormat(separator) });

        Assert.Equal(["city", "temp", "note"], result.Schema.Columns.Select(column => column.Name));
        Assert.Equal(["A" + separator + "B", "C"], result.Profile.Columns[0].Categorical!.Top.Select(value => value.Value).Order(StringComparer.Ordinal));
        Assert.Equal(1.75, result.Profile.Columns[1].Numeric!.Mean);
    }

    [Fact]
    public async Task A_file_without_header_gets_numbered_column_names()
    {
        using var csv = TempCsv.Text("1,a\n2,b\n");
        var result = await Ingest(csv, new IngestOptions { Format = new CsvFormat(HasHeader: false) });

        Assert.Equal(["column1", "column2"], result.Schema.Columns.Select(column => column.Name));
        Assert.Equal(2, result.Rows);
    }

    [Fact]
    public async Task Blank_lines_are_skipped_and_crlf_is_read()
    {
        using var csv = TempCsv.Text("a,b\r\n\r\n1,x\r\n\r\n2,y\r\n");
        var result = await Ingest(csv);

        Assert.Equal(2, result.Rows);
        Assert.Equal(["x", "y"], result.Profile.Columns[1].Categorical!.Top.Select(value => value.Value));
    }

    [Fact]
    public async Task Profile_json_round_trips_to_the_same_text()
    {
        using var csv = TempCsv.Sample("dags/data/taxi-fare/taxi-fare-train.csv", 500);
        var profile = (await Ingest(csv)).Profile;
        var json = profile.ToJson();

        Assert.Equal(json, DatasetProfile.FromJson(json).ToJson());
        Assert.Equal(json, (await Ingest(csv)).Profile.ToJson());
    }

    [Fact]
    public async Task Profile_json_has_a_stable_documented_shape()
    {
        using var csv = TempCsv.Text("n,c\n1,a\n3,b\n,a\n");
        var json = (await Ingest(csv, new IngestOptions { HistogramBins = 2 })).Profile.ToJson();

        Assert.Equal(
            """{"rows":3,"columns":[{"name":"n","kind":"numeric","count":2,"missing":1,"numeric":{"min":1,"max":3,"mean":2,"std":1.4142135623730951,"quantiles":{"p1":1.02,"p5":1.1,"p25":1.5,"p50":2,"p75":2.5,"p95":2.9,"p99":2.98},"histogram":{"edges":[1,2,3],"counts":[1,1]},"exact":true,"distinct":2,"distinctIsLowerBound":false}},{"name":"c","kind":"categorical","count":3,"missing":0,"categorical":{"distinct":2,"distinctIsLowerBound":false,"top":[{"value":"a","count":2},{"value":"b","count":1}],"otherCount":0,"countsAreApproximate":false}}]}""",
            json);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"rows":1}""")]
    [InlineData("""{"rows":1,"columns":[{"name":"a","kind":"wide","count":1,"missing":0}]}""")]
    public void Bad_profile_json_is_a_format_error(string json) =>
        Assert.Throws<FormatException>(() => DatasetProfile.FromJson(json));

    [Fact]
    public void Schema_json_round_trips_and_rejects_bad_input()
    {
        var schema = new DatasetSchema([new DatasetColumn("a", ColumnKind.Numeric), new DatasetColumn("b", ColumnKind.Categorical)]);
        var json = schema.ToJson();

        Assert.Equal("""{"columns":[{"name":"a","kind":"numeric"},{"name":"b","kind":"categorical"}]}""", json);
        Assert.Equal(schema.Columns, DatasetSchemaJson.FromJson(json).Columns);
        Assert.Contains("listed twice", Assert.Throws<FormatException>(() => DatasetSchemaJson.FromJson("""{"columns":[{"name":"a","kind":"numeric"},{"name":"a","kind":"numeric"}]}""")).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => DatasetSchemaJson.FromJson("""{"columns":[{"name":"a"}]}"""));
        Assert.Throws<FormatException>(() => DatasetSchemaJson.FromJson("""{"columns":[{"name":"a","kind":"text"}]}"""));
        Assert.Throws<FormatException>(() => DatasetSchemaJson.FromJson("[]"));
    }

    [Fact]
    public async Task A_cancelled_ingest_stops()
    {
        using var csv = TempCsv.Text("a\n1\n");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            DatasetIngestor.IngestAsync(csv.Path, new IngestOptions(), new CancellationToken(canceled: true)));
    }
}
