import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { CancelJobRequest as _tessera_jobs_v1_CancelJobRequest, CancelJobRequest__Output as _tessera_jobs_v1_CancelJobRequest__Output } from './tessera/jobs/v1/CancelJobRequest.ts';
import type { Checkpoint as _tessera_jobs_v1_Checkpoint, Checkpoint__Output as _tessera_jobs_v1_Checkpoint__Output } from './tessera/jobs/v1/Checkpoint.ts';
import type { Dataset as _tessera_jobs_v1_Dataset, Dataset__Output as _tessera_jobs_v1_Dataset__Output } from './tessera/jobs/v1/Dataset.ts';
import type { DatasetPreview as _tessera_jobs_v1_DatasetPreview, DatasetPreview__Output as _tessera_jobs_v1_DatasetPreview__Output } from './tessera/jobs/v1/DatasetPreview.ts';
import type { FileChunk as _tessera_jobs_v1_FileChunk, FileChunk__Output as _tessera_jobs_v1_FileChunk__Output } from './tessera/jobs/v1/FileChunk.ts';
import type { GetJobRequest as _tessera_jobs_v1_GetJobRequest, GetJobRequest__Output as _tessera_jobs_v1_GetJobRequest__Output } from './tessera/jobs/v1/GetJobRequest.ts';
import type { Job as _tessera_jobs_v1_Job, Job__Output as _tessera_jobs_v1_Job__Output } from './tessera/jobs/v1/Job.ts';
import type { JobEvent as _tessera_jobs_v1_JobEvent, JobEvent__Output as _tessera_jobs_v1_JobEvent__Output } from './tessera/jobs/v1/JobEvent.ts';
import type { JobServiceClient as _tessera_jobs_v1_JobServiceClient, JobServiceDefinition as _tessera_jobs_v1_JobServiceDefinition } from './tessera/jobs/v1/JobService.ts';
import type { JobUpdate as _tessera_jobs_v1_JobUpdate, JobUpdate__Output as _tessera_jobs_v1_JobUpdate__Output } from './tessera/jobs/v1/JobUpdate.ts';
import type { ListCheckpointsRequest as _tessera_jobs_v1_ListCheckpointsRequest, ListCheckpointsRequest__Output as _tessera_jobs_v1_ListCheckpointsRequest__Output } from './tessera/jobs/v1/ListCheckpointsRequest.ts';
import type { ListCheckpointsResponse as _tessera_jobs_v1_ListCheckpointsResponse, ListCheckpointsResponse__Output as _tessera_jobs_v1_ListCheckpointsResponse__Output } from './tessera/jobs/v1/ListCheckpointsResponse.ts';
import type { ListDatasetsRequest as _tessera_jobs_v1_ListDatasetsRequest, ListDatasetsRequest__Output as _tessera_jobs_v1_ListDatasetsRequest__Output } from './tessera/jobs/v1/ListDatasetsRequest.ts';
import type { ListDatasetsResponse as _tessera_jobs_v1_ListDatasetsResponse, ListDatasetsResponse__Output as _tessera_jobs_v1_ListDatasetsResponse__Output } from './tessera/jobs/v1/ListDatasetsResponse.ts';
import type { ListJobsRequest as _tessera_jobs_v1_ListJobsRequest, ListJobsRequest__Output as _tessera_jobs_v1_ListJobsRequest__Output } from './tessera/jobs/v1/ListJobsRequest.ts';
import type { ListJobsResponse as _tessera_jobs_v1_ListJobsResponse, ListJobsResponse__Output as _tessera_jobs_v1_ListJobsResponse__Output } from './tessera/jobs/v1/ListJobsResponse.ts';
import type { ListSegmentationCasesRequest as _tessera_jobs_v1_ListSegmentationCasesRequest, ListSegmentationCasesRequest__Output as _tessera_jobs_v1_ListSegmentationCasesRequest__Output } from './tessera/jobs/v1/ListSegmentationCasesRequest.ts';
import type { ListSegmentationCasesResponse as _tessera_jobs_v1_ListSegmentationCasesResponse, ListSegmentationCasesResponse__Output as _tessera_jobs_v1_ListSegmentationCasesResponse__Output } from './tessera/jobs/v1/ListSegmentationCasesResponse.ts';
import type { ListWorkersRequest as _tessera_jobs_v1_ListWorkersRequest, ListWorkersRequest__Output as _tessera_jobs_v1_ListWorkersRequest__Output } from './tessera/jobs/v1/ListWorkersRequest.ts';
import type { ListWorkersResponse as _tessera_jobs_v1_ListWorkersResponse, ListWorkersResponse__Output as _tessera_jobs_v1_ListWorkersResponse__Output } from './tessera/jobs/v1/ListWorkersResponse.ts';
import type { Metric as _tessera_jobs_v1_Metric, Metric__Output as _tessera_jobs_v1_Metric__Output } from './tessera/jobs/v1/Metric.ts';
import type { PreviewDatasetRequest as _tessera_jobs_v1_PreviewDatasetRequest, PreviewDatasetRequest__Output as _tessera_jobs_v1_PreviewDatasetRequest__Output } from './tessera/jobs/v1/PreviewDatasetRequest.ts';
import type { PreviewRow as _tessera_jobs_v1_PreviewRow, PreviewRow__Output as _tessera_jobs_v1_PreviewRow__Output } from './tessera/jobs/v1/PreviewRow.ts';
import type { ReadCheckpointFileRequest as _tessera_jobs_v1_ReadCheckpointFileRequest, ReadCheckpointFileRequest__Output as _tessera_jobs_v1_ReadCheckpointFileRequest__Output } from './tessera/jobs/v1/ReadCheckpointFileRequest.ts';
import type { ReadJobResultRequest as _tessera_jobs_v1_ReadJobResultRequest, ReadJobResultRequest__Output as _tessera_jobs_v1_ReadJobResultRequest__Output } from './tessera/jobs/v1/ReadJobResultRequest.ts';
import type { ReadSegmentationCaseRequest as _tessera_jobs_v1_ReadSegmentationCaseRequest, ReadSegmentationCaseRequest__Output as _tessera_jobs_v1_ReadSegmentationCaseRequest__Output } from './tessera/jobs/v1/ReadSegmentationCaseRequest.ts';
import type { RegisterDatasetRequest as _tessera_jobs_v1_RegisterDatasetRequest, RegisterDatasetRequest__Output as _tessera_jobs_v1_RegisterDatasetRequest__Output } from './tessera/jobs/v1/RegisterDatasetRequest.ts';
import type { SegmentationCase as _tessera_jobs_v1_SegmentationCase, SegmentationCase__Output as _tessera_jobs_v1_SegmentationCase__Output } from './tessera/jobs/v1/SegmentationCase.ts';
import type { SegmentationCaseChunk as _tessera_jobs_v1_SegmentationCaseChunk, SegmentationCaseChunk__Output as _tessera_jobs_v1_SegmentationCaseChunk__Output } from './tessera/jobs/v1/SegmentationCaseChunk.ts';
import type { SegmentationCaseHeader as _tessera_jobs_v1_SegmentationCaseHeader, SegmentationCaseHeader__Output as _tessera_jobs_v1_SegmentationCaseHeader__Output } from './tessera/jobs/v1/SegmentationCaseHeader.ts';
import type { SubmitJobRequest as _tessera_jobs_v1_SubmitJobRequest, SubmitJobRequest__Output as _tessera_jobs_v1_SubmitJobRequest__Output } from './tessera/jobs/v1/SubmitJobRequest.ts';
import type { SubmitJobResponse as _tessera_jobs_v1_SubmitJobResponse, SubmitJobResponse__Output as _tessera_jobs_v1_SubmitJobResponse__Output } from './tessera/jobs/v1/SubmitJobResponse.ts';
import type { Thumbnail as _tessera_jobs_v1_Thumbnail, Thumbnail__Output as _tessera_jobs_v1_Thumbnail__Output } from './tessera/jobs/v1/Thumbnail.ts';
import type { UploadDatasetHeader as _tessera_jobs_v1_UploadDatasetHeader, UploadDatasetHeader__Output as _tessera_jobs_v1_UploadDatasetHeader__Output } from './tessera/jobs/v1/UploadDatasetHeader.ts';
import type { UploadDatasetRequest as _tessera_jobs_v1_UploadDatasetRequest, UploadDatasetRequest__Output as _tessera_jobs_v1_UploadDatasetRequest__Output } from './tessera/jobs/v1/UploadDatasetRequest.ts';
import type { WatchJobRequest as _tessera_jobs_v1_WatchJobRequest, WatchJobRequest__Output as _tessera_jobs_v1_WatchJobRequest__Output } from './tessera/jobs/v1/WatchJobRequest.ts';
import type { Worker as _tessera_jobs_v1_Worker, Worker__Output as _tessera_jobs_v1_Worker__Output } from './tessera/jobs/v1/Worker.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  tessera: {
    jobs: {
      v1: {
        CancelJobRequest: MessageTypeDefinition<_tessera_jobs_v1_CancelJobRequest, _tessera_jobs_v1_CancelJobRequest__Output>
        Checkpoint: MessageTypeDefinition<_tessera_jobs_v1_Checkpoint, _tessera_jobs_v1_Checkpoint__Output>
        Dataset: MessageTypeDefinition<_tessera_jobs_v1_Dataset, _tessera_jobs_v1_Dataset__Output>
        DatasetPreview: MessageTypeDefinition<_tessera_jobs_v1_DatasetPreview, _tessera_jobs_v1_DatasetPreview__Output>
        FileChunk: MessageTypeDefinition<_tessera_jobs_v1_FileChunk, _tessera_jobs_v1_FileChunk__Output>
        GetJobRequest: MessageTypeDefinition<_tessera_jobs_v1_GetJobRequest, _tessera_jobs_v1_GetJobRequest__Output>
        Job: MessageTypeDefinition<_tessera_jobs_v1_Job, _tessera_jobs_v1_Job__Output>
        JobEvent: MessageTypeDefinition<_tessera_jobs_v1_JobEvent, _tessera_jobs_v1_JobEvent__Output>
        JobService: SubtypeConstructor<typeof grpc.Client, _tessera_jobs_v1_JobServiceClient> & { service: _tessera_jobs_v1_JobServiceDefinition }
        JobState: EnumTypeDefinition
        JobUpdate: MessageTypeDefinition<_tessera_jobs_v1_JobUpdate, _tessera_jobs_v1_JobUpdate__Output>
        ListCheckpointsRequest: MessageTypeDefinition<_tessera_jobs_v1_ListCheckpointsRequest, _tessera_jobs_v1_ListCheckpointsRequest__Output>
        ListCheckpointsResponse: MessageTypeDefinition<_tessera_jobs_v1_ListCheckpointsResponse, _tessera_jobs_v1_ListCheckpointsResponse__Output>
        ListDatasetsRequest: MessageTypeDefinition<_tessera_jobs_v1_ListDatasetsRequest, _tessera_jobs_v1_ListDatasetsRequest__Output>
        ListDatasetsResponse: MessageTypeDefinition<_tessera_jobs_v1_ListDatasetsResponse, _tessera_jobs_v1_ListDatasetsResponse__Output>
        ListJobsRequest: MessageTypeDefinition<_tessera_jobs_v1_ListJobsRequest, _tessera_jobs_v1_ListJobsRequest__Output>
        ListJobsResponse: MessageTypeDefinition<_tessera_jobs_v1_ListJobsResponse, _tessera_jobs_v1_ListJobsResponse__Output>
        ListSegmentationCasesRequest: MessageTypeDefinition<_tessera_jobs_v1_ListSegmentationCasesRequest, _tessera_jobs_v1_ListSegmentationCasesRequest__Output>
        ListSegmentationCasesResponse: MessageTypeDefinition<_tessera_jobs_v1_ListSegmentationCasesResponse, _tessera_jobs_v1_ListSegmentationCasesResponse__Output>
        ListWorkersRequest: MessageTypeDefinition<_tessera_jobs_v1_ListWorkersRequest, _tessera_jobs_v1_ListWorkersRequest__Output>
        ListWorkersResponse: MessageTypeDefinition<_tessera_jobs_v1_ListWorkersResponse, _tessera_jobs_v1_ListWorkersResponse__Output>
        Metric: MessageTypeDefinition<_tessera_jobs_v1_Metric, _tessera_jobs_v1_Metric__Output>
        PreviewDatasetRequest: MessageTypeDefinition<_tessera_jobs_v1_PreviewDatasetRequest, _tessera_jobs_v1_PreviewDatasetRequest__Output>
        PreviewRow: MessageTypeDefinition<_tessera_jobs_v1_PreviewRow, _tessera_jobs_v1_PreviewRow__Output>
        ReadCheckpointFileRequest: MessageTypeDefinition<_tessera_jobs_v1_ReadCheckpointFileRequest, _tessera_jobs_v1_ReadCheckpointFileRequest__Output>
        ReadJobResultRequest: MessageTypeDefinition<_tessera_jobs_v1_ReadJobResultRequest, _tessera_jobs_v1_ReadJobResultRequest__Output>
        ReadSegmentationCaseRequest: MessageTypeDefinition<_tessera_jobs_v1_ReadSegmentationCaseRequest, _tessera_jobs_v1_ReadSegmentationCaseRequest__Output>
        RegisterDatasetRequest: MessageTypeDefinition<_tessera_jobs_v1_RegisterDatasetRequest, _tessera_jobs_v1_RegisterDatasetRequest__Output>
        SegmentationCase: MessageTypeDefinition<_tessera_jobs_v1_SegmentationCase, _tessera_jobs_v1_SegmentationCase__Output>
        SegmentationCaseChunk: MessageTypeDefinition<_tessera_jobs_v1_SegmentationCaseChunk, _tessera_jobs_v1_SegmentationCaseChunk__Output>
        SegmentationCaseHeader: MessageTypeDefinition<_tessera_jobs_v1_SegmentationCaseHeader, _tessera_jobs_v1_SegmentationCaseHeader__Output>
        SubmitJobRequest: MessageTypeDefinition<_tessera_jobs_v1_SubmitJobRequest, _tessera_jobs_v1_SubmitJobRequest__Output>
        SubmitJobResponse: MessageTypeDefinition<_tessera_jobs_v1_SubmitJobResponse, _tessera_jobs_v1_SubmitJobResponse__Output>
        Thumbnail: MessageTypeDefinition<_tessera_jobs_v1_Thumbnail, _tessera_jobs_v1_Thumbnail__Output>
        UploadDatasetHeader: MessageTypeDefinition<_tessera_jobs_v1_UploadDatasetHeader, _tessera_jobs_v1_UploadDatasetHeader__Output>
        UploadDatasetRequest: MessageTypeDefinition<_tessera_jobs_v1_UploadDatasetRequest, _tessera_jobs_v1_UploadDatasetRequest__Output>
        WatchJobRequest: MessageTypeDefinition<_tessera_jobs_v1_WatchJobRequest, _tessera_jobs_v1_WatchJobRequest__Output>
        Worker: MessageTypeDefinition<_tessera_jobs_v1_Worker, _tessera_jobs_v1_Worker__Output>
        WorkerState: EnumTypeDefinition
      }
    }
  }
}

